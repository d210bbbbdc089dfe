//! The Relm desktop app.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread exists: threads inherit the process's keyring membership.
    relm_api::prepare_keyring();
    relm_api::private::restrict_process();
    relm_app::run();
}
