//! The native menu (File, Edit, View, Window, Help) in the UI's language. Items that act in
//! the UI are forwarded to it as a `relm://menu` event carrying the item id.

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

fn labels(locale: &str) -> fn(&str) -> &'static str {
    if locale == "fr" { fr } else { en }
}

fn en(id: &str) -> &'static str {
    match id {
        "file" => "File",
        "edit" => "Edit",
        "view" => "View",
        "window" => "Window",
        "help" => "Help",
        "new-release" => "New release",
        "new-entry" => "New freeze or window…",
        "sync" => "Sync now",
        "go:dashboard" => "Dashboard",
        "go:releases" => "Releases",
        "go:calendar" => "Calendar",
        "go:risks" => "Risks",
        "go:reviews" => "Reviews",
        "go:metrics" => "Metrics",
        "go:audit" => "Audit",
        "go:settings" => "Settings",
        "shortcuts" => "Keyboard shortcuts",
        "about" => "About Relm",
        _ => "",
    }
}

fn fr(id: &str) -> &'static str {
    match id {
        "file" => "Fichier",
        "edit" => "Édition",
        "view" => "Affichage",
        "window" => "Fenêtre",
        "help" => "Aide",
        "new-release" => "Nouvelle mise en production",
        "new-entry" => "Nouveau gel ou nouvelle fenêtre…",
        "sync" => "Synchroniser",
        "go:dashboard" => "Tableau de bord",
        "go:releases" => "Mises en production",
        "go:calendar" => "Calendrier",
        "go:risks" => "Risques",
        "go:reviews" => "Revues",
        "go:metrics" => "Indicateurs",
        "go:audit" => "Audit",
        "go:settings" => "Paramètres",
        "shortcuts" => "Raccourcis clavier",
        "about" => "À propos de Relm",
        _ => "",
    }
}

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let locale = app
        .try_state::<AppState>()
        .map(|s| s.locale.lock().unwrap_or_else(|p| p.into_inner()).clone())
        .unwrap_or_else(|| "en".into());
    let l = labels(&locale);
    let item = |id: &str, accel: Option<&str>| MenuItem::with_id(app, id, l(id), true, accel);
    let file = Submenu::with_items(
        app,
        l("file"),
        true,
        &[
            &item("new-release", Some("CmdOrCtrl+N"))?,
            &item("new-entry", None)?,
            &item("sync", Some("CmdOrCtrl+Shift+S"))?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::quit(app, None)?,
        ],
    )?;
    let edit = Submenu::with_items(
        app,
        l("edit"),
        true,
        &[
            &PredefinedMenuItem::undo(app, None)?,
            &PredefinedMenuItem::redo(app, None)?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::cut(app, None)?,
            &PredefinedMenuItem::copy(app, None)?,
            &PredefinedMenuItem::paste(app, None)?,
            &PredefinedMenuItem::select_all(app, None)?,
        ],
    )?;
    let view = Submenu::with_items(
        app,
        l("view"),
        true,
        &[
            &item("go:dashboard", Some("CmdOrCtrl+1"))?,
            &item("go:releases", Some("CmdOrCtrl+2"))?,
            &item("go:calendar", Some("CmdOrCtrl+3"))?,
            &item("go:risks", Some("CmdOrCtrl+4"))?,
            &item("go:reviews", Some("CmdOrCtrl+5"))?,
            &item("go:metrics", Some("CmdOrCtrl+6"))?,
            &item("go:audit", Some("CmdOrCtrl+7"))?,
            &item("go:settings", Some("CmdOrCtrl+8"))?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::fullscreen(app, None)?,
        ],
    )?;
    let window = Submenu::with_items(
        app,
        l("window"),
        true,
        &[
            &PredefinedMenuItem::minimize(app, None)?,
            &PredefinedMenuItem::maximize(app, None)?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::close_window(app, None)?,
        ],
    )?;
    let help = Submenu::with_items(
        app,
        l("help"),
        true,
        &[&item("shortcuts", Some("F1"))?, &item("about", None)?],
    )?;
    Menu::with_items(app, &[&file, &edit, &view, &window, &help])
}

pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let _ = app.emit("relm://menu", event.id().0.as_str());
}

/// Rebuild the menu in the current language (after the UI's language changed).
pub fn relabel<R: Runtime>(app: &AppHandle<R>) {
    match build(app) {
        Ok(menu) => {
            let _ = app.set_menu(menu);
        }
        Err(e) => tracing::warn!("could not relabel the menu: {e}"),
    }
}
