#![allow(clippy::print_stderr)] // its one failure is said on stderr

//! A window with one line of text: what a Tauri app costs before it does anything, the baseline
//! `make bench-app` sets Relm's launch time and memory beside.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the minimal app could not start: {e}");
        std::process::exit(1);
    }
}
