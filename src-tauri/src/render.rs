//! How the web view draws on a machine without a graphics card.
//!
//! WebKitGTK composites pages with OpenGL. Without a GPU (a virtual machine, a remote desktop,
//! a display server in memory), OpenGL is Mesa's software renderer, and compositing through it
//! costs more than painting: measured on a 2-core virtual machine, the frame after switching
//! the calendar's view took 70-150 ms composited and 33-50 ms painted directly. So without a
//! GPU the app paints without compositing, as WebKit's `WEBKIT_DISABLE_COMPOSITING_MODE` asks,
//! unless the person running it already chose a rendering mode.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether [`choose`] turned compositing off, for the log.
static PAINTING: AtomicBool = AtomicBool::new(false);

/// The variables by which a person chooses how WebKitGTK renders: any of them set is a choice.
const CHOSEN: &[&str] = &[
    "WEBKIT_DISABLE_COMPOSITING_MODE",
    "WEBKIT_FORCE_COMPOSITING_MODE",
    "WEBKIT_DISABLE_DMABUF_RENDERER",
    "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
];

/// Whether to paint without compositing: no GPU render node, and no rendering mode chosen.
pub fn paint_without_compositing(has_gpu: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    !has_gpu && CHOSEN.iter().all(|name| var(name).is_none())
}

/// Whether `dri` (`/dev/dri`) holds a render node (`renderD128`...): a GPU the web view can
/// draw with.
pub fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Chooses before the web view exists. Called from `main` before any thread is started: the
/// process's environment is changed, and the web processes inherit it.
pub fn choose() {
    if cfg!(target_os = "linux")
        && paint_without_compositing(has_render_node(Path::new("/dev/dri")), |name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })
    {
        #[allow(unsafe_code)]
        // SAFETY: `main` calls this before any other thread exists, so nothing reads the
        // environment while it changes.
        unsafe {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
        PAINTING.store(true, Ordering::Relaxed);
    }
}

/// Whether [`choose`] turned compositing off.
pub fn painting_without_compositing() -> bool {
    PAINTING.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_gpu_the_view_paints_unless_a_mode_was_chosen() {
        let none = |_: &str| None;
        assert!(paint_without_compositing(false, none));
        assert!(
            !paint_without_compositing(true, none),
            "a GPU: WebKit's default"
        );
        for chosen in CHOSEN {
            let set = |name: &str| (name == *chosen).then(|| "0".to_string());
            assert!(
                !paint_without_compositing(false, set),
                "{chosen} was chosen"
            );
        }
    }

    #[test]
    fn a_render_node_is_a_gpu() {
        let dri = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dri.path()), "empty");
        assert!(!has_render_node(&dri.path().join("missing")), "no /dev/dri");
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dri.path()), "a display card alone");
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dri.path()));
    }
}
