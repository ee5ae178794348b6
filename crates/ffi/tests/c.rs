//! The C ABI from C: `tests/c/flow.c` is compiled with the system C compiler against
//! `include/shikaku.h` and the library cargo just built, and run under valgrind
//! (memcheck, full leak check): a first registration with a passcode from `oathtool`, a
//! second login, a password change refused then accepted, a wrong-password lock, the
//! one-call authentication, and the error paths. Any invalid access or leak fails it.
//! The header is also compiled as C++, and the program linked against the static
//! library once.

mod support;

use std::path::Path;
use std::process::Command;

use support::{check_transcript, library_dir, require_tool, run, scratch, workspace_root};

/// Compiles `flow.c` into `out`, linked against the shared or the static library.
fn compile(cc: &Path, out: &Path, static_lib: bool) {
    let root = workspace_root();
    let lib = library_dir();
    let mut command = Command::new(cc);
    command
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg("-I")
        .arg(root.join("include"))
        .arg(root.join("crates/ffi/tests/c/flow.c"))
        .arg("-o")
        .arg(out);
    if static_lib {
        // What `cargo rustc -p shikaku-ffi --crate-type staticlib -- --print native-static-libs`
        // names for Linux (docs/vendors.md).
        command.arg(lib.join("libshikaku_ffi.a")).args([
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ]);
    } else {
        command
            .arg("-L")
            .arg(&lib)
            .arg("-lshikaku_ffi")
            // DT_RPATH (not RUNPATH): this build's library, whatever LD_LIBRARY_PATH says.
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .arg("-Wl,--disable-new-dtags");
    }
    run("compiling tests/c/flow.c", &mut command);
}

#[test]
fn the_flows_from_c_under_valgrind() {
    let cc = require_tool("cc", "build-essential");
    let valgrind = require_tool("valgrind", "valgrind");
    require_tool("oathtool", "oathtool");
    let dir = scratch("c-flow");
    let program = dir.path().join("flow");
    compile(&cc, &program, false);

    let output = run(
        "tests/c/flow.c under valgrind",
        Command::new(valgrind)
            .args([
                "--quiet",
                "--error-exitcode=1",
                "--leak-check=full",
                "--show-leak-kinds=definite,indirect,possible",
                "--errors-for-leak-kinds=definite,indirect,possible",
            ])
            .arg(&program)
            .arg(dir.path())
            // cargo's LD_LIBRARY_PATH also names target/<profile>, where a stale copy of
            // the library may lie (cargo does not copy it there for test builds).
            .env_remove("LD_LIBRARY_PATH"),
    );
    let transcript = check_transcript(
        &output,
        &[
            "open: ok",
            "login 1: next=enroll",
            "enrollment: issuer 資格確認限定型レセコン連携機能",
            "png: ",
            "print sheet: ",
            "confirmation: first_time, then later",
            "passcode 12ab: malformed_passcode — パスコードは 6 桁の数字で入力してください。",
            "passcode 1: session, enrolled=1",
            "session: 0123456789/staff01",
            "session after logout: session_unknown",
            "login 2: next=passcode",
            "passcode (wrong): invalid_passcode",
            "passcode 2: session, enrolled=0",
            "password change (abc): password_policy",
            "  too_short: パスワードは8文字以上で入力してください（入力は3文字です）。 / The password must be at least 8 characters long (it has 3).",
            "password change: ok",
            "wrong password 1: invalid_credentials — 機関コード、ログイン ID 又はパスワードが正しくありません。",
            "wrong password 3: locked for",
            "以降に再度操作してください。",
            "en: The account is locked after too many consecutive failures. Try again after",
            "right password while locked: locked",
            "authenticate while locked: locked — The account is locked",
            "unlock: ok",
            "authenticate: 0123456789/staff01 verified",
            "authenticate (replayed code): invalid_passcode",
            "accounts: 1 — 0123456789/staff01 enrolled=1",
            "NULL service: null_argument — 引数 service に NULL が渡されました。",
            "NULL password: null_argument — The argument password is NULL.",
            "invalid UTF-8: invalid_utf8",
            "short institution code: malformed_institution_code — Enter the institution code as 10 digits.",
            "the rules alone: password_policy",
        ],
    );
    println!("{transcript}");
    // valgrind --quiet prints nothing unless it found something.
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(!report.contains("=="), "valgrind reported:\n{report}");
}

#[test]
fn the_static_library_links() {
    let cc = require_tool("cc", "build-essential");
    let dir = scratch("c-static");
    let program = dir.path().join("flow-static");
    compile(&cc, &program, true);
    let output = run(
        "the statically linked program",
        Command::new(&program).arg(dir.path()).arg("smoke"),
    );
    check_transcript(&output, &["open: ok", "provision: 0123456789/staff01"]);
}

#[test]
fn the_header_compiles_as_cpp() {
    let cxx = require_tool("c++", "g++");
    let dir = scratch("cpp-header");
    let source = dir.path().join("header.cpp");
    std::fs::write(
        &source,
        "#include \"shikaku.h\"\n\
         int main() {\n\
             shikaku_status st = shikaku_check_password(nullptr, \"Valid#Pass1\", nullptr);\n\
             return st == SHIKAKU_STATUS_OK ? 0 : 1;\n\
         }\n",
    )
    .unwrap();
    run(
        "compiling the header as C++",
        Command::new(cxx)
            .args([
                "-std=c++17",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-pedantic",
                "-fsyntax-only",
            ])
            .arg("-I")
            .arg(workspace_root().join("include"))
            .arg(&source),
    );
}
