// Shared by the build scripts of the `relm` and `relm-app` binaries (included, not a crate).
//
// Linux binaries are position-independent; their relocation table (`.rela.dyn`) lists every
// pointer held in static data, 24 bytes each: 1.3 MB in the CLI. Packed relative relocations
// (DT_RELR, glibc 2.36 and later) store the same in a few kilobytes. The flag is given only when
// the toolchain links with it (a probe link of an empty program), so a build on an older system
// still works and gets the classic table.

/// Ask for packed relative relocations when this toolchain can make them.
fn pack_relative_relocations() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "linux" || env != "gnu" {
        return;
    }
    let Some(out) = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from) else {
        return;
    };
    let src = out.join("relr-probe.c");
    if std::fs::write(&src, "int main(void) { return 0; }\n").is_err() {
        return;
    }
    let cc = std::env::var("RUSTC_LINKER")
        .or_else(|_| std::env::var("CC"))
        .unwrap_or_else(|_| "cc".into());
    let linked = std::process::Command::new(cc)
        .arg(&src)
        .arg("-o")
        .arg(out.join("relr-probe"))
        .arg("-Wl,-z,pack-relative-relocs")
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if linked {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
