//! Interoperability with implementations no one here wrote.
//!
//! * `oathtool` (OATH Toolkit; Debian package `oathtool`) and `pyotp`
//!   (PyPI) are run as child processes with a fixed time. They are required:
//!   if one is missing the test fails and says how to install it.
//! * `totp-rs` (a dev-dependency) is called directly.

use std::process::Command;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use shikaku_totp::{Match, OtpauthUri, Passcode, Secret, Verification, Verifier};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::support::{at, rfc_secret};

const INSTALL_OATHTOOL: &str = "install it with `apt-get install -y oathtool` (Debian/Ubuntu \
     package `oathtool`; on macOS `brew install oath-toolkit`)";
const INSTALL_PYOTP: &str = "install it with `pip install pyotp` for the `python3` on PATH \
     (or set SHIKAKU_PYTHON to an interpreter that has it)";

/// Instants to test at: step boundaries, mid-step, old and far-future times.
const TIMES: [i64; 8] = [
    59,
    1_111_111_109,
    1_700_000_000,
    1_775_001_599, // last second of a step
    1_775_001_600, // first second of the next
    1_775_001_615,
    2_000_000_000,
    4_102_444_800, // 2100-01-01
];

fn run(program: &str, args: &[&str], install: &str) -> String {
    let output = Command::new(program)
        .args(args)
        .env("PYTHONUTF8", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `{program}` ({e}): this interop test needs it; {install}")
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`{program} {}` failed ({}): {stderr}\nIf a module or command is missing, {install}",
        args.join(" "),
        output.status
    );
    stdout
}

fn oathtool(args: &[&str]) -> String {
    run("oathtool", args, INSTALL_OATHTOOL)
}

fn python() -> String {
    std::env::var("SHIKAKU_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs a Python snippet with pyotp imported; `args` become `sys.argv[1:]`.
fn pyotp(script: &str, args: &[&str]) -> String {
    let program = format!("import sys\nimport pyotp\n{script}");
    let mut all = vec!["-c", program.as_str()];
    all.extend_from_slice(args);
    run(&python(), &all, INSTALL_PYOTP)
}

/// `oathtool --now` format: "2009-02-13 23:31:30 UTC".
fn oathtool_time(now: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    now.format(&format).expect("formattable time")
}

fn random_secrets(seed: u8, n: usize) -> Vec<Secret> {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    (0..n).map(|_| Secret::generate(&mut rng)).collect()
}

fn assert_accepted_now(secret: &Secret, code: &str, now: OffsetDateTime, who: &str) {
    let verifier = Verifier::default();
    let passcode = Passcode::parse(code).unwrap_or_else(|e| panic!("{who} printed {code:?}: {e}"));
    let step = verifier.step_at(now).expect("after 1970");
    assert_eq!(
        verifier.verify(secret, &passcode, now, None),
        Verification::Accepted(Match { step, drift: 0 }),
        "{who}'s code {code} at {now}"
    );
    assert_eq!(
        verifier.generate(secret, now).as_str(),
        code,
        "{who} at {now}"
    );
}

#[test]
fn oathtool_codes_are_accepted() {
    for (i, secret) in random_secrets(21, 4).iter().enumerate() {
        let key = secret.setup_key();
        // Alternate the two forms the staff member sees.
        let key_text = if i % 2 == 0 {
            key.copy_form()
        } else {
            key.display_form()
        };
        for unix in TIMES {
            let now = at(unix);
            let code = oathtool(&["--totp", "-b", "--now", &oathtool_time(now), &key_text]);
            assert_accepted_now(secret, code.trim(), now, "oathtool");
        }
    }
}

#[test]
fn oathtool_agrees_with_the_rfc_vectors_and_the_drift_window() {
    // oathtool -w 2 prints the codes of the current step and the next two;
    // our verifier at the *last* of those steps sees them as -2, -1, 0.
    let secret = rfc_secret();
    let key = secret.setup_key().copy_form();
    let now = at(1_234_567_890);
    let printed = oathtool(&[
        "--totp",
        "-b",
        "-w",
        "2",
        "--now",
        &oathtool_time(now),
        &key,
    ]);
    let codes: Vec<&str> = printed.split_whitespace().collect();
    assert_eq!(codes.len(), 3, "{printed}");
    assert_eq!(codes[0], "005924", "RFC 6238: 89005924 at 1234567890");
    let later = now + time::Duration::seconds(60);
    let step = Verifier::default().step_at(later).expect("after 1970");
    let verifier = Verifier::default();
    let outcomes: Vec<Verification> = codes
        .iter()
        .map(|c| verifier.verify(&secret, &Passcode::parse(c).expect("6 digits"), later, None))
        .collect();
    assert_eq!(
        outcomes,
        [
            Verification::Rejected,
            Verification::Accepted(Match {
                step: step - 1,
                drift: -1
            }),
            Verification::Accepted(Match { step, drift: 0 }),
        ]
    );
}

#[test]
fn pyotp_codes_are_accepted() {
    let args: Vec<String> = TIMES.iter().map(ToString::to_string).collect();
    for secret in random_secrets(22, 4) {
        let key = secret.setup_key().copy_form();
        let mut argv = vec![key.as_str()];
        argv.extend(args.iter().map(String::as_str));
        let printed = pyotp(
            "totp = pyotp.TOTP(sys.argv[1])\n\
             print(' '.join(totp.at(int(t)) for t in sys.argv[2:]))",
            &argv,
        );
        let codes: Vec<&str> = printed.split_whitespace().collect();
        assert_eq!(codes.len(), TIMES.len(), "{printed}");
        for (code, unix) in codes.into_iter().zip(TIMES) {
            assert_accepted_now(&secret, code, at(unix), "pyotp");
        }
    }
}

#[test]
fn pyotp_reads_our_uri() {
    let secret = random_secrets(23, 1).remove(0);
    let issuer = "資格確認限定型レセコン連携機能 (テスト)";
    let uri = OtpauthUri::new(issuer, "user01@clinic", &secret).to_uri_string();
    let printed = pyotp(
        "t = pyotp.parse_uri(sys.argv[1])\n\
         print(t.issuer)\nprint(t.name)\nprint(t.secret)\n\
         print(t.digits)\nprint(t.interval)\nprint(t.digest().name)\nprint(t.at(1775001600))",
        &[&uri],
    );
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 7, "{printed}");
    assert_eq!(lines[0], issuer);
    assert_eq!(lines[1], "user01@clinic");
    assert_eq!(lines[2], secret.setup_key().copy_form().as_str());
    assert_eq!(&lines[3..6], ["6", "30", "sha1"]);
    assert_accepted_now(&secret, lines[6], at(1_775_001_600), "pyotp (from our URI)");
}

#[test]
fn we_read_pyotps_uri() {
    let secret = random_secrets(24, 1).remove(0);
    let key = secret.setup_key().copy_form();
    let issuer = "医療機関 レセコン";
    let printed = pyotp(
        "print(pyotp.TOTP(sys.argv[1]).provisioning_uri(name=sys.argv[2], issuer_name=sys.argv[3]))",
        &[&key, "user:01 test", issuer],
    );
    let uri = OtpauthUri::parse(printed.trim()).expect("pyotp's URI parses");
    assert_eq!(uri.issuer(), issuer);
    assert_eq!(uri.account(), "user:01 test");
    assert_eq!(uri.secret(), &secret);
    assert_eq!(uri.digits(), 6);
    assert_eq!(uri.period(), time::Duration::seconds(30));
}

#[test]
fn totp_rs_codes_are_accepted() {
    for secret in random_secrets(25, 4) {
        let totp = totp_rs::Builder::new()
            .with_secret(secret.expose_bytes().to_vec())
            .build()
            .expect("valid totp-rs config");
        for unix in TIMES {
            let code = totp.generate(unix.unsigned_abs()).to_string();
            assert_accepted_now(&secret, &code, at(unix), "totp-rs");
            // And totp-rs accepts ours.
            let ours = Verifier::default().generate(&secret, at(unix));
            assert_eq!(
                totp.check(ours.as_str(), unix.unsigned_abs()),
                Some(unix.unsigned_abs() / 30)
            );
        }
    }
}
