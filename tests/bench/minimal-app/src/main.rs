#![allow(clippy::print_stderr)] // its one failure is said on stderr

//! A window with one line of text: what a Tauri app costs before it does anything, the baseline
//! `make bench-app` sets Relm's launch time and memory beside.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// Drawn the way Relm draws: the same rule, from the same file (without a GPU render node and
// with no rendering mode chosen, rasterized on the CPU). Otherwise the baseline would pay a
// cost Relm does not, and the comparison would flatter Relm.
#[path = "../../../../src-tauri/src/render.rs"]
#[allow(dead_code)] // what the app logs; the baseline logs nothing
mod render;

fn main() {
    render::choose();
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the minimal app could not start: {e}");
        std::process::exit(1);
    }
}
