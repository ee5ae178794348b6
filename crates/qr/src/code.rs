//! [`QrCode`]: encoding plus the SVG, PNG and terminal renderers.

use std::fmt::{self, Write as _};

use zeroize::Zeroizing;

use crate::Error;

/// Width of the light border around every rendering, in modules (the QR standard's
/// minimum for regular QR codes).
pub const QUIET_ZONE: usize = 4;

/// An encoded QR code (error correction level M), ready to render.
///
/// The module matrix is kept in a zeroizing buffer and `Debug` does not print it: for an
/// otpauth URI the modules are the TOTP key. Encoding is the expensive step (about a
/// millisecond for an otpauth URI); render all the formats you need from one `QrCode`.
#[derive(Clone)]
pub struct QrCode {
    /// Modules per side, without the quiet zone.
    width: usize,
    /// QR version, 1..=40.
    version: u8,
    /// Row-major module colours, `true` = dark.
    modules: Zeroizing<Vec<bool>>,
}

/// How [`QrCode::to_terminal_with`] draws the code.
///
/// A terminal's background may be dark or light and a program cannot reliably tell which,
/// while a QR code must be dark-on-light (many scanners refuse inverted codes). Every style
/// draws two module rows per line with the half blocks `▀` (upper), `▄` (lower), `█`
/// (both) and a space (neither), which keeps modules square in a usual 1:2 terminal cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TerminalStyle {
    /// Correct on dark *and* light terminals: each line sets black foreground on white
    /// background with the 256-colour palette indices 16 (`#000000`) and 231 (`#ffffff`),
    /// which terminal themes leave alone (unlike the 16 basic colours), and resets at the
    /// end of the line. The blocks draw the dark modules. The default.
    #[default]
    Colored,
    /// No escape codes; the blocks draw the dark modules, the terminal's background is
    /// the light. Right for light-background terminals, files and paper.
    PlainForLightBackground,
    /// No escape codes; the blocks draw the *light* modules (quiet zone included), the
    /// terminal's background is the dark. Right for dark-background terminals (as with
    /// `qrencode -t UTF8i`).
    PlainForDarkBackground,
}

/// Foreground black (palette 16) on background white (palette 231).
const ANSI_BLACK_ON_WHITE: &str = "\x1b[38;5;16;48;5;231m";
const ANSI_RESET: &str = "\x1b[0m";

impl QrCode {
    /// Smallest module size accepted by [`to_png`](Self::to_png), in pixels.
    pub const MIN_MODULE_PX: u32 = 1;
    /// Largest module size accepted by [`to_png`](Self::to_png), in pixels (a version 40
    /// code is then 5920 pixels wide).
    pub const MAX_MODULE_PX: u32 = 32;

    /// Encodes `data` at error correction level M in the smallest QR version that fits.
    ///
    /// The text is encoded as its UTF-8 bytes; the encoder picks numeric, alphanumeric or
    /// byte segments for the shortest code.
    ///
    /// # Errors
    ///
    /// [`Error::DataTooLong`] when the data exceeds a version 40 code (at most 2331 bytes).
    pub fn new(data: &str) -> Result<Self, Error> {
        let code =
            qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).map_err(|e| {
                match e {
                    qrcode::types::QrError::DataTooLong => Error::DataTooLong { len: data.len() },
                    _ => Error::Encoding,
                }
            })?;
        let version = match code.version() {
            qrcode::Version::Normal(v) => u8::try_from(v).map_err(|_| Error::Encoding)?,
            // Automatic version selection only ever picks regular QR codes.
            qrcode::Version::Micro(_) => return Err(Error::Encoding),
        };
        let width = code.width();
        let modules: Zeroizing<Vec<bool>> = Zeroizing::new(
            code.into_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        );
        if modules.len() != width * width {
            return Err(Error::Encoding);
        }
        Ok(Self {
            width,
            version,
            modules,
        })
    }

    /// The QR version, 1..=40 (the code is `17 + 4 × version` modules wide).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side including the [`QUIET_ZONE`] on both sides: the size of every
    /// rendering in modules.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at column `x`, row `y` (symbol coordinates, without the quiet
    /// zone, origin top left) is dark. Everything outside the symbol is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.modules[y * self.width + x]
    }

    /// Like [`is_dark`](Self::is_dark) in rendering coordinates (quiet zone included).
    fn dark_in_rendering(&self, x: usize, y: usize) -> bool {
        match (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) {
            (Some(x), Some(y)) => self.is_dark(x, y),
            _ => false,
        }
    }

    /// Renders an SVG document: one module per user unit (`viewBox` includes the quiet
    /// zone), a white background and a single black path of horizontal runs, with
    /// `shape-rendering="crispEdges"`. `width`/`height` default to 8 px per module; CSS
    /// may size it freely. There is no XML declaration, so the result can be inlined into
    /// HTML as is, and it parses as a standalone XML document too.
    pub fn to_svg(&self) -> String {
        let size = self.width_with_quiet_zone();
        let mut svg = String::with_capacity(256 + self.width * self.width * 3);
        // Writing to a String cannot fail.
        let _ = write!(
            svg,
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" "#,
                r#"viewBox="0 0 {size} {size}" width="{px}" height="{px}" "#,
                r#"shape-rendering="crispEdges">"#,
                r##"<rect width="{size}" height="{size}" fill="#fff"/>"##,
                r##"<path fill="#000" d=""##,
            ),
            size = size,
            px = size * 8,
        );
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                let run = x - start;
                let _ = write!(
                    svg,
                    "M{} {}h{run}v1h-{run}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE
                );
            }
        }
        svg.push_str(r#""/></svg>"#);
        svg
    }

    /// Renders a 1-bit greyscale PNG, `module_px` pixels per module, quiet zone included
    /// (so the image is `width_with_quiet_zone() × module_px` pixels square).
    ///
    /// For print, 8–10 px per module at 300 dpi gives a code of roughly 4 cm for a typical
    /// otpauth URI.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidModuleSize`] outside
    /// [`MIN_MODULE_PX`](Self::MIN_MODULE_PX)..=[`MAX_MODULE_PX`](Self::MAX_MODULE_PX);
    /// [`Error::PngEncoding`] if the PNG encoder fails.
    pub fn to_png(&self, module_px: u32) -> Result<Vec<u8>, Error> {
        if !(Self::MIN_MODULE_PX..=Self::MAX_MODULE_PX).contains(&module_px) {
            return Err(Error::InvalidModuleSize { module_px });
        }
        let scale = usize::try_from(module_px).map_err(|_| Error::PngEncoding)?;
        let side = self.width_with_quiet_zone() * scale;
        let side_u32 = u32::try_from(side).map_err(|_| Error::PngEncoding)?;
        let row_bytes = side.div_ceil(8);

        // 1 = white. Start all white (padding bits included), clear the dark pixels.
        let mut pixels = vec![0xFF_u8; row_bytes * side];
        for (module_row, band) in pixels.chunks_exact_mut(row_bytes * scale).enumerate() {
            let (first, rest) = band.split_at_mut(row_bytes);
            for module_col in 0..self.width_with_quiet_zone() {
                if self.dark_in_rendering(module_col, module_row) {
                    for px in module_col * scale..(module_col + 1) * scale {
                        first[px / 8] &= !(0x80_u8 >> (px % 8));
                    }
                }
            }
            for row in rest.chunks_exact_mut(row_bytes) {
                row.copy_from_slice(first);
            }
        }

        let mut out = Vec::with_capacity(128 + pixels.len() / 4);
        let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().map_err(|_| Error::PngEncoding)?;
        writer
            .write_image_data(&pixels)
            .map_err(|_| Error::PngEncoding)?;
        writer.finish().map_err(|_| Error::PngEncoding)?;
        Ok(out)
    }

    /// Renders the code for a terminal in the default [`TerminalStyle::Colored`] style:
    /// half-block characters, two module rows per line, quiet zone included, black on
    /// white forced with ANSI colours so it scans on dark and light terminals alike.
    pub fn to_terminal(&self) -> String {
        self.to_terminal_with(TerminalStyle::default())
    }

    /// Renders the code for a terminal in the given style.
    ///
    /// The output has `ceil(width_with_quiet_zone() / 2)` lines, each ending in `\n`, of
    /// `width_with_quiet_zone()` characters (plus escape codes in the coloured style).
    /// Line `i` shows rendering rows `2i` (upper half) and `2i + 1` (lower half); as the
    /// rendering height is odd, the last line's lower half lies outside the code and is
    /// left blank (terminal background).
    pub fn to_terminal_with(&self, style: TerminalStyle) -> String {
        let size = self.width_with_quiet_zone();
        let lines = size.div_ceil(2);
        let mut out = String::with_capacity(lines * (size * 3 + 32));
        let ink_is_dark = !matches!(style, TerminalStyle::PlainForDarkBackground);
        for line in 0..lines {
            if style == TerminalStyle::Colored {
                out.push_str(ANSI_BLACK_ON_WHITE);
            }
            let (top, bottom) = (2 * line, 2 * line + 1);
            for x in 0..size {
                let top_ink = self.dark_in_rendering(x, top) == ink_is_dark;
                let bottom_ink = bottom < size && self.dark_in_rendering(x, bottom) == ink_is_dark;
                out.push(half_block(top_ink, bottom_ink));
            }
            if style == TerminalStyle::Colored {
                out.push_str(ANSI_RESET);
            }
            out.push('\n');
        }
        out
    }
}

/// The character that inks the upper and/or lower half of a cell.
fn half_block(upper: bool, lower: bool) -> char {
    match (upper, lower) {
        (false, false) => ' ',
        (true, false) => '▀',
        (false, true) => '▄',
        (true, true) => '█',
    }
}

impl fmt::Debug for QrCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrCode")
            .field("version", &self.version)
            .field("width", &self.width)
            .field("modules", &format_args!("***"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_blocks_cover_all_four_cells() {
        assert_eq!(half_block(false, false), ' ');
        assert_eq!(half_block(true, false), '▀');
        assert_eq!(half_block(false, true), '▄');
        assert_eq!(half_block(true, true), '█');
    }

    #[test]
    fn version_and_width_agree() {
        let qr = QrCode::new("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(qr.width(), 17 + 4 * usize::from(qr.version()));
        assert_eq!(qr.width_with_quiet_zone(), qr.width() + 8);
        // Finder pattern corners are dark, the quiet zone is light.
        assert!(qr.is_dark(0, 0));
        assert!(qr.dark_in_rendering(QUIET_ZONE, QUIET_ZONE));
        assert!(!qr.dark_in_rendering(QUIET_ZONE - 1, QUIET_ZONE));
        assert!(!qr.is_dark(qr.width(), 0));
    }

    #[test]
    fn debug_hides_modules() {
        let qr = QrCode::new("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").unwrap();
        let debug = format!("{qr:?}");
        assert!(debug.contains("***"), "{debug}");
        assert!(!debug.contains("true"), "{debug}");
    }

    #[test]
    fn module_size_is_bounded() {
        let qr = QrCode::new("x").unwrap();
        assert_eq!(qr.to_png(0), Err(Error::InvalidModuleSize { module_px: 0 }));
        assert_eq!(
            qr.to_png(QrCode::MAX_MODULE_PX + 1),
            Err(Error::InvalidModuleSize {
                module_px: QrCode::MAX_MODULE_PX + 1
            })
        );
        assert!(qr.to_png(QrCode::MAX_MODULE_PX).is_ok());
    }

    #[test]
    fn too_long_data_is_an_error_not_a_panic() {
        let data = "あ".repeat(1000); // 3000 bytes > 2331
        assert_eq!(
            QrCode::new(&data).unwrap_err(),
            Error::DataTooLong { len: 3000 }
        );
    }
}
