//! As the app's build script: the config embedded, relocations packed where the linker can.

include!("../../../src-tauri/relr.rs");

fn main() {
    println!("cargo::rerun-if-changed=../../../src-tauri/relr.rs");
    pack_relative_relocations();
    tauri_build::build();
}
