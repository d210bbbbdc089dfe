//! The binary starts and documents the contract's subcommands. (Also makes `cargo test` build
//! the `relm` binary that the cross-crate tests in `tests/` drive.)

use std::process::Command;

#[test]
fn help_lists_every_subcommand_of_the_contract() {
    let out = Command::new(env!("CARGO_BIN_EXE_relm"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "init", "identity", "member", "release", "audit", "demo", "rebuild",
    ] {
        assert!(
            text.contains(cmd),
            "`relm --help` must list `{cmd}`:\n{text}"
        );
    }
}

#[test]
fn unknown_subcommands_are_usage_errors_with_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_relm"))
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
