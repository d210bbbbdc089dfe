//! Link options of the `relm` binary.

include!("../../relr.rs");

fn main() {
    println!("cargo::rerun-if-changed=../../relr.rs");
    pack_relative_relocations();
}
