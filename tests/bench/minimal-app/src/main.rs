#![allow(clippy::print_stderr)] // its one failure is said on stderr

//! A window with one line of text: what a Tauri app costs before it does anything, the baseline
//! `make bench-app` sets Relm's launch time and memory beside.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Drawn the way Relm draws (src-tauri/src/render.rs): without a GPU render node, and with
    // no rendering mode chosen, rasterized on the CPU. Otherwise the baseline would pay a
    // cost Relm does not, and the comparison would flatter Relm.
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|d| {
        d.filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    let chosen = [
        "WEBKIT_DISABLE_COMPOSITING_MODE",
        "WEBKIT_FORCE_COMPOSITING_MODE",
        "WEBKIT_DISABLE_DMABUF_RENDERER",
        "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    if cfg!(target_os = "linux") && !gpu && !chosen {
        #[allow(unsafe_code)]
        // SAFETY: no other thread exists yet.
        unsafe {
            std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
        }
    }
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the minimal app could not start: {e}");
        std::process::exit(1);
    }
}
