//! What the C and C# tests share: the built library, the tools they need (a missing
//! one fails the test with the command that installs it; nothing is skipped), a scratch
//! directory, and running a program with its output shown.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (the header is in `include/`, the .NET wrapper in `bindings/`).
pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// The directory holding the libraries cargo built for this test run
/// (`libshikaku_ffi.so` and `libshikaku_ffi.a`): the test binary's own `deps/`.
pub(crate) fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("target/<profile>/deps");
    for dir in [deps, deps.parent().unwrap_or(deps)] {
        if dir.join("libshikaku_ffi.so").is_file() {
            return dir.to_owned();
        }
    }
    panic!(
        "libshikaku_ffi.so was not found beside {} (cargo builds the cdylib with the tests)",
        exe.display()
    );
}

/// The path of `tool`, or a failure that says how to install it.
pub(crate) fn require_tool(tool: &str, debian_package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(tool))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{tool}` is needed by this test and is not installed.\n\
             Install it with `bash .ci/setup` (the README's test set-up), or \
             `apt-get install {debian_package}`."
        )
    })
}

/// A fresh scratch directory under cargo's per-test temporary directory.
pub(crate) fn scratch(name: &str) -> tempfile::TempDir {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(base).expect("CARGO_TARGET_TMPDIR");
    tempfile::Builder::new()
        .prefix(name)
        .tempdir_in(base)
        .expect("a scratch directory")
}

/// Runs a command and returns its output; fails the test (showing both streams) when it
/// cannot start or exits unsuccessfully.
pub(crate) fn run(what: &str, command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        panic!(
            "{what} failed ({}): {command:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            output.status
        );
    }
    output
}

/// The program's standard output, checked to end with `ALL OK` and to hold every line
/// of `expected` (each a substring of some line).
pub(crate) fn check_transcript(output: &Output, expected: &[&str]) -> String {
    let stdout = String::from_utf8(output.stdout.clone()).expect("UTF-8 output");
    assert!(
        stdout.trim_end().ends_with("ALL OK"),
        "the program did not finish:\n{stdout}"
    );
    for line in expected {
        assert!(
            stdout.lines().any(|l| l.contains(line)),
            "no line holds {line:?} in:\n{stdout}"
        );
    }
    stdout
}
