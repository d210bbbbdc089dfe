//! The Relm desktop app.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before any thread exists: one heap for all of them.
    relm_app::one_heap();
    // Before any thread exists: threads inherit the process's keyring membership.
    relm_api::prepare_keyring();
    relm_api::private::restrict_process();
    // Likewise: how the web view will draw, chosen in the environment its processes inherit.
    relm_app::render::choose();
    relm_app::run();
}
