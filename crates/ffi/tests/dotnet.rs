//! The C ABI from .NET: the wrapper in `bindings/dotnet/Shikaku` (SafeHandle, result
//! types, exceptions over csbindgen's P/Invoke declarations) is compiled with Mono's
//! `mcs`, and `bindings/dotnet/Shikaku.Tests/Flow.cs` — the C program's flow in C# — runs
//! under `mono` against the library cargo just built, placed beside the program as a
//! vendor ships it.

mod support;

use std::process::Command;

use support::{check_transcript, library_dir, require_tool, run, scratch, workspace_root};

#[test]
fn the_flows_from_csharp_under_mono() {
    let mcs = require_tool("mcs", "mono-mcs");
    let mono = require_tool("mono", "mono-runtime");
    require_tool("oathtool", "oathtool");
    let root = workspace_root();
    let dir = scratch("dotnet-flow");
    let out = dir.path();

    let wrapper = root.join("bindings/dotnet/Shikaku");
    let mut sources: Vec<_> = std::fs::read_dir(&wrapper)
        .expect("bindings/dotnet/Shikaku")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "cs"))
        .collect();
    sources.sort();
    run(
        "compiling the .NET wrapper",
        Command::new(&mcs)
            // CS1691: csbindgen's `#pragma warning disable` names newer compilers' warnings.
            .args([
                "-target:library",
                "-unsafe",
                "-warnaserror",
                "-nowarn:1691",
                "-langversion:7",
            ])
            .arg(format!("-out:{}", out.join("Shikaku.dll").display()))
            .args(&sources),
    );
    run(
        "compiling the C# flow",
        Command::new(&mcs)
            .args(["-warnaserror", "-langversion:7"])
            .arg(format!("-reference:{}", out.join("Shikaku.dll").display()))
            .arg(format!("-out:{}", out.join("Flow.exe").display()))
            .arg(root.join("bindings/dotnet/Shikaku.Tests/Flow.cs")),
    );
    // Beside the program, as a vendor ships shikaku_ffi.dll beside the .exe.
    std::fs::copy(
        library_dir().join("libshikaku_ffi.so"),
        out.join("libshikaku_ffi.so"),
    )
    .expect("copying the library");

    let output = run(
        "the C# flow under mono",
        Command::new(mono)
            .arg(out.join("Flow.exe"))
            .arg(out)
            .current_dir(out)
            .env_remove("LD_LIBRARY_PATH"),
    );
    let transcript = check_transcript(
        &output,
        &[
            "status names: 29 match the native library",
            "open: ok",
            "login 1: NeedsEnrollment",
            "enrollment: issuer 資格確認限定型レセコン連携機能",
            "confirmation: FirstTime, then Later",
            "passcode 12ab: malformed_passcode — パスコードは 6 桁の数字で入力してください。",
            "passcode 1: Session, enrolled=True",
            "session: 0123456789/staff01",
            "session after logout: session_unknown",
            "login 2: NeedsPasscode",
            "passcode (wrong): Invalid — パスコードが正しくありません。",
            "passcode 2: Session, enrolled=False",
            "password change (abc): Rejected",
            "  too_short: パスワードは8文字以上で入力してください（入力は3文字です）。 / The password must be at least 8 characters long (it has 3).",
            "password change: Changed",
            "wrong password 1: Invalid — 機関コード、ログイン ID 又はパスワードが正しくありません。",
            "wrong password 3: Locked until",
            "以降に再度操作してください。",
            "right password while locked: Locked",
            "authenticate while locked: Locked — The account is locked after too many consecutive failures. Try again after",
            "unlock: ok",
            "authenticate: 0123456789/staff01 Verified",
            "authenticate (replayed code): InvalidPasscode",
            "accounts: 0123456789/staff01 enrolled=True disabled=False",
            "administration: disable, enable, reset password, reset MFA: ok",
            "provision again: account_exists",
            "short institution code: malformed_institution_code — Enter the institution code as 10 digits. / 機関コードは 10 桁の数字で入力してください。",
            "the rules alone: 3 broken rules",
            "open postgres://: unsupported — This build does not support PostgreSQL.",
        ],
    );
    println!("{transcript}");
}
