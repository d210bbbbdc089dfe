//! The report fonts are embedded deflated (half their size in the binary) and inflated once,
//! the first time a report is drawn.

use std::io::Write;

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for name in ["LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"] {
        let src = std::path::Path::new("fonts").join(name);
        println!("cargo::rerun-if-changed={}", src.display());
        let bytes = std::fs::read(&src).expect("the font file");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&bytes).expect("deflate");
        std::fs::write(out.join(format!("{name}.z")), z.finish().expect("deflate"))
            .expect("write the deflated font");
    }
}
