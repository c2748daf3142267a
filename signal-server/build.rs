//! Embeds the built app in the binary when `STUBE_EMBED_DIR` names its directory (`cargo xtask
//! dist` does): writes a table of every file under it, each as `include_bytes!`, to
//! `$OUT_DIR/embedded_app.rs`. Without the variable the table is empty and the server serves a
//! directory instead.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=STUBE_EMBED_DIR");
    let mut table = String::from("&[\n");
    if let Some(dir) = std::env::var_os("STUBE_EMBED_DIR").map(PathBuf::from) {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &mut files);
        files.sort();
        assert!(
            files.iter().any(|file| file.ends_with("index.html")),
            "STUBE_EMBED_DIR={} holds no index.html: build the app first",
            dir.display()
        );
        for file in files {
            let name = file
                .strip_prefix(&dir)
                .expect("under the directory")
                .to_str()
                .expect("file names of the built app are UTF-8")
                .replace('\\', "/");
            table.push_str(&format!("    ({name:?}, include_bytes!({file:?})),\n"));
        }
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("embedded_app.rs"), table).expect("write the table");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(std::fs::canonicalize(&path).expect("an absolute path"));
        }
    }
}
