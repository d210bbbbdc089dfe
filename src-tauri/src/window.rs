//! Window size and position, remembered across launches.
//!
//! The window-state plugin restores the main window and writes its state when the app exits
//! normally. An app that is killed, crashes or loses power never gets there, so the state is
//! also written shortly after the user stops moving or resizing the window, and when the window
//! is asked to close.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;
use tauri::{AppHandle, Manager, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// What is remembered: not visibility or decorations, which the app itself decides.
pub const REMEMBERED: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED)
    .union(StateFlags::FULLSCREEN);

/// How long the window must stay still before its state is written.
const SETTLE: Duration = Duration::from_millis(500);

pub fn remember(app: &AppHandle) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let (tx, rx) = mpsc::channel::<()>();
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("relm-window-state".into())
        .spawn(move || {
            // One write per burst of moves and resizes; the thread ends with the window.
            while rx.recv().is_ok() {
                loop {
                    match rx.recv_timeout(SETTLE) {
                        Ok(()) => continue,
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                save(&handle);
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("window state is saved only at exit: {e}");
        return;
    }
    let handle = app.clone();
    window.on_window_event(move |event| match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            let _ = tx.send(());
        }
        WindowEvent::CloseRequested { .. } => save(&handle),
        _ => {}
    });
}

fn save(app: &AppHandle) {
    if let Err(e) = app.save_window_state(REMEMBERED) {
        tracing::warn!("could not save the window's size and position: {e}");
    }
}
