//! Brotli and gzip copies of the built app's assets next to each file (`app.wasm.br`, …), so the
//! server sends the smallest encoding without compressing on every request.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Asset types worth compressing (`txt`: the passphrase word lists); `index.html` stays as it is
/// (the server reads it for the CSP).
const COMPRESSIBLE: [&str; 5] = ["wasm", "js", "css", "svg", "txt"];

/// Writes `<file>.br` (quality 11) and `<file>.gz` (level 9) for every compressible file in `dir`
/// and the directories under it.
pub fn assets(dir: &Path) -> Result<()> {
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not read {}", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            assets(&path)?;
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let data =
            std::fs::read(&path).with_context(|| format!("could not read {}", path.display()))?;
        let mut brotli_writer = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 11, 22);
        brotli_writer.write_all(&data)?;
        write_next_to(&path, "br", &brotli_writer.into_inner())?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&data)?;
        write_next_to(&path, "gz", &gzip.finish()?)?;
    }
    Ok(())
}

fn write_next_to(path: &Path, extension: &str, bytes: &[u8]) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    std::fs::write(&name, bytes)
        .with_context(|| format!("could not write {}", Path::new(&name).display()))
}
