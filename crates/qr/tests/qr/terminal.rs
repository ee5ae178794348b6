//! Terminal rendering: parsed back from the half-block characters into modules.

use shikaku_qr::{QrCode, TerminalStyle};

use crate::support::{URI, expected_matrix, japanese_uri, rqrr_decode_matrix};

const COLOR_PREFIX: &str = "\x1b[38;5;16;48;5;231m";
const RESET: &str = "\x1b[0m";

/// Parses terminal output back into a module matrix (`true` = dark) of `size` rows.
/// `ink_is_dark` says whether the blocks draw dark modules (or light ones).
fn parse(text: &str, size: usize, ink_is_dark: bool, colored: bool) -> Vec<Vec<bool>> {
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), size.div_ceil(2), "two module rows per line");
    let mut rows = Vec::with_capacity(lines.len() * 2);
    for line in lines {
        let cells = if colored {
            line.strip_prefix(COLOR_PREFIX)
                .and_then(|l| l.strip_suffix(RESET))
                .expect("each line forces black on white, then resets")
        } else {
            line
        };
        assert!(!cells.contains('\x1b'), "no other escape codes");
        let (mut upper, mut lower) = (Vec::new(), Vec::new());
        for c in cells.chars() {
            let (u, l) = match c {
                ' ' => (false, false),
                '▀' => (true, false),
                '▄' => (false, true),
                '█' => (true, true),
                other => panic!("unexpected character {other:?}"),
            };
            upper.push(u);
            lower.push(l);
        }
        assert_eq!(upper.len(), size, "one character per module column");
        rows.push(upper);
        rows.push(lower);
    }
    // The rendering is odd-sized: the last line's lower half is outside it and blank.
    let outside = rows.pop().unwrap();
    assert!(
        outside.iter().all(|&ink| !ink),
        "last lower half must be blank"
    );
    assert_eq!(rows.len(), size);
    rows.into_iter()
        .map(|row| row.into_iter().map(|ink| ink == ink_is_dark).collect())
        .collect()
}

fn check_style(data: &str, style: TerminalStyle, ink_is_dark: bool, colored: bool) {
    let qr = QrCode::new(data).unwrap();
    let text = qr.to_terminal_with(style);
    let matrix = parse(&text, qr.width_with_quiet_zone(), ink_is_dark, colored);
    assert_eq!(matrix, expected_matrix(&qr), "{style:?}");
    assert_eq!(rqrr_decode_matrix(&matrix), data, "{style:?}");
}

#[test]
fn default_is_colored_black_on_white() {
    let qr = QrCode::new(URI).unwrap();
    assert_eq!(
        qr.to_terminal(),
        qr.to_terminal_with(TerminalStyle::Colored)
    );
    check_style(URI, TerminalStyle::Colored, true, true);
}

#[test]
fn plain_for_light_background_inks_dark_modules() {
    check_style(URI, TerminalStyle::PlainForLightBackground, true, false);
}

#[test]
fn plain_for_dark_background_inks_light_modules() {
    check_style(URI, TerminalStyle::PlainForDarkBackground, false, false);
    // The quiet zone is drawn: the first line is all full blocks.
    let text = QrCode::new(URI)
        .unwrap()
        .to_terminal_with(TerminalStyle::PlainForDarkBackground);
    assert!(text.lines().next().unwrap().chars().all(|c| c == '█'));
}

#[test]
fn japanese_issuer_survives_terminal() {
    check_style(&japanese_uri(), TerminalStyle::Colored, true, true);
}
