//! `include/shikaku.h` and the .NET declarations are generated from this crate's source
//! and committed; these tests regenerate them and fail when a committed file differs.
//!
//! After changing the C ABI, rewrite both with
//! `SHIKAKU_BLESS=1 cargo test -p shikaku-ffi --test header` and commit them.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Compares `generated` with the committed file, or rewrites it under `SHIKAKU_BLESS=1`.
fn check(committed: &Path, generated: &str) {
    if std::env::var_os("SHIKAKU_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
        std::fs::write(committed, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(committed).unwrap_or_default();
    if on_disk != generated {
        let first = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| on_disk.lines().count().min(generated.lines().count()));
        panic!(
            "{} is not what the source generates (first difference at line {}).\n\
             Regenerate it with `SHIKAKU_BLESS=1 cargo test -p shikaku-ffi --test header` \
             and commit it.\n--- committed: {:?}\n+++ generated: {:?}",
            committed.display(),
            first + 1,
            on_disk.lines().nth(first),
            generated.lines().nth(first),
        );
    }
}

/// cbindgen's output for this crate, as `include/shikaku.h` holds it.
fn generate_header() -> String {
    let crate_dir = env!("CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(Path::new(crate_dir).join("cbindgen.toml"))
        .expect("crates/ffi/cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("UTF-8 header")
}

#[test]
fn committed_header_is_generated_from_the_source() {
    check(
        &workspace_root().join("include/shikaku.h"),
        &generate_header(),
    );
}

/// csbindgen's P/Invoke declarations for this crate, as
/// `bindings/dotnet/Shikaku/NativeMethods.g.cs` holds them.
fn generate_csharp() -> String {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut builder = csbindgen::Builder::default();
    for file in [
        "types.rs",
        "handle.rs",
        "flows/login.rs",
        "flows/enrollment.rs",
        "flows/passcode.rs",
        "flows/session.rs",
        "flows/password.rs",
        "flows/authenticate.rs",
        "admin.rs",
        "objects/error.rs",
        "objects/enrollment.rs",
        "objects/memory.rs",
        "objects/token.rs",
        "objects/names.rs",
    ] {
        builder = builder.input_extern_file(crate_dir.join("src").join(file));
    }
    builder
        .csharp_dll_name("shikaku_ffi")
        .csharp_namespace("Shikaku.Native")
        .csharp_class_name("NativeMethods")
        .csharp_class_accessibility("internal")
        .csharp_use_nint_types(false)
        .generate_csharp_file(out.path())
        .expect("csbindgen generates the declarations");
    std::fs::read_to_string(out.path()).expect("UTF-8 C#")
}

#[test]
fn committed_dotnet_declarations_are_generated_from_the_source() {
    check(
        &workspace_root().join("bindings/dotnet/Shikaku/NativeMethods.g.cs"),
        &generate_csharp(),
    );
}
