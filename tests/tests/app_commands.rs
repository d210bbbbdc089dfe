//! Every command the app's shell registers is one its build script declares and its capability
//! file allows: a command left out of either is refused at run time ("not allowed by ACL"), and
//! the page that asks for it shows an error instead of its data.

use std::collections::BTreeSet;

fn text(path: &str) -> String {
    let file = relm_tests::workspace_root().join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// The words between `open` and the next `close` in `s`, split on what is not a name's
/// character.
fn names_between(s: &str, open: &str, close: &str) -> Vec<String> {
    let start = s.find(open).unwrap_or_else(|| panic!("{open} not found")) + open.len();
    let end = start + s[start..].find(close).expect("the list's end");
    s[start..end]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_registered_command_is_declared_and_allowed() {
    let registered: BTreeSet<String> = names_between(
        &text("src-tauri/src/lib.rs"),
        "tauri::generate_handler![",
        "]",
    )
    .into_iter()
    .filter_map(|w| w.strip_prefix("commands::").map(str::to_string))
    .collect();
    assert!(registered.len() > 50, "{registered:?}");
    let declared: BTreeSet<String> = names_between(
        &text("src-tauri/build.rs"),
        "const COMMANDS: &[&str] = &[",
        "];",
    )
    .into_iter()
    .collect();
    let allowed: BTreeSet<String> = names_between(
        &text("src-tauri/capabilities/default.json"),
        "\"permissions\"",
        "]",
    )
    .into_iter()
    .filter_map(|w| w.strip_prefix("allow-").map(|c| c.replace('-', "_")))
    .collect();
    assert_eq!(
        registered.difference(&declared).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "registered but not in build.rs's COMMANDS"
    );
    assert_eq!(
        registered.difference(&allowed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "registered but not allowed in capabilities/default.json"
    );
    assert_eq!(
        declared.difference(&registered).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "declared in build.rs but not registered"
    );
}
