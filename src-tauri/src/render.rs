//! How the web view draws on a machine without a graphics card.
//!
//! WebKitGTK draws pages with OpenGL. Without a GPU (a virtual machine, a remote desktop, a
//! display server in memory), OpenGL is Mesa's software renderer, and rasterizing the page's
//! layers through it is slow: on a 2-core virtual machine, the frame after switching the
//! calendar's view took 70-150 ms. So without a GPU the app has WebKit rasterize the layers on
//! the CPU (`WEBKIT_SKIA_ENABLE_CPU_RENDERING`), keeping its threaded compositing, unless the
//! person running it already chose a rendering mode. Measured on the organization's workspace
//! (`docs/BENCHMARKS.md`): the calendar's week and timeline went from 143-258 ms to 53-130 ms,
//! and the release list's filters stay at 15-73 ms. Turning compositing off instead
//! (`WEBKIT_DISABLE_COMPOSITING_MODE`) helped the calendar as much but painted on the page's
//! own thread, which held every answer from the backend about 70 ms: the filters took 80-120 ms.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether [`choose`] chose CPU rasterization, for the log.
static PAINTING: AtomicBool = AtomicBool::new(false);

/// The variables by which a person chooses how WebKitGTK renders: any of them set is a choice.
const CHOSEN: &[&str] = &[
    "WEBKIT_DISABLE_COMPOSITING_MODE",
    "WEBKIT_FORCE_COMPOSITING_MODE",
    "WEBKIT_DISABLE_DMABUF_RENDERER",
    "WEBKIT_SKIA_ENABLE_CPU_RENDERING",
];

/// Whether to rasterize on the CPU: no GPU render node, and no rendering mode chosen.
pub fn rasterize_on_cpu(has_gpu: bool, var: impl Fn(&str) -> Option<String>) -> bool {
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
        && rasterize_on_cpu(has_render_node(Path::new("/dev/dri")), |name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })
    {
        #[allow(unsafe_code)]
        // SAFETY: `main` calls this before any other thread exists, so nothing reads the
        // environment while it changes.
        unsafe {
            std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
        }
        PAINTING.store(true, Ordering::Relaxed);
    }
}

/// Whether [`choose`] chose CPU rasterization.
pub fn rasterizing_on_cpu() -> bool {
    PAINTING.load(Ordering::Relaxed)
}

/// Whether the web view draws without a GPU: no render node (whatever mode WebKit then
/// renders in, it is software), or CPU rasterization asked for. The page then draws crisp
/// shadows instead of blurred ones: rasterizing a blur on the CPU cost 50-70 ms a frame on a
/// page of cards (`docs/BENCHMARKS.md`).
pub fn drawn_on_cpu() -> bool {
    cfg!(target_os = "linux")
        && without_gpu(has_render_node(Path::new("/dev/dri")), |name| {
            std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
        })
}

/// [`drawn_on_cpu`] on Linux, given whether there is a render node and the environment.
pub fn without_gpu(has_gpu: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    !has_gpu || var("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_some_and(|v| v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_gpu_the_view_rasterizes_on_the_cpu_unless_a_mode_was_chosen() {
        let none = |_: &str| None;
        assert!(rasterize_on_cpu(false, none));
        assert!(!rasterize_on_cpu(true, none), "a GPU: WebKit's default");
        for chosen in CHOSEN {
            let set = |name: &str| (name == *chosen).then(|| "0".to_string());
            assert!(!rasterize_on_cpu(false, set), "{chosen} was chosen");
        }
    }

    #[test]
    fn the_page_knows_it_is_drawn_without_a_gpu() {
        let none = |_: &str| None;
        assert!(without_gpu(false, none), "no render node");
        assert!(!without_gpu(true, none), "a GPU, WebKit's default");
        let cpu = |v: &'static str| {
            move |name: &str| (name == "WEBKIT_SKIA_ENABLE_CPU_RENDERING").then(|| v.to_string())
        };
        assert!(without_gpu(true, cpu("1")), "CPU rasterization asked for");
        assert!(!without_gpu(true, cpu("0")), "asked not to");
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
