//! Files in a meeting as a test hands them to the page: a file of known bytes, the "Send file"
//! picker and a drop onto the meeting, and the Save link of a received file with the SHA-256 of
//! what it offers.

use crate::browser::Tab;
use anyhow::Result;

/// Defines `window.__makeFile(name, size, seed)`: a File of pseudo-random bytes (xorshift), and
/// `window.__sha256(blob)`: its SHA-256 as hex.
pub const FILE_TOOLS: &str = r#"(() => {
    window.__makeFile = (name, size, seed) => {
        const bytes = new Uint8Array(size);
        let x = seed | 0;
        for (let i = 0; i < size; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; bytes[i] = x & 255; }
        return new File([bytes], name);
    };
    window.__sha256 = async (blob) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))]
        .map(b => b.toString(16).padStart(2, '0')).join('');
    return true;
})()"#;

/// Picks `file` (a JavaScript expression) in the "Send file" picker.
pub fn pick(file: &str) -> String {
    format!(
        "(() => {{ const input = document.querySelector('.controls input[type=file]'); const data = new DataTransfer(); \
         data.items.add({file}); input.files = data.files; input.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
    )
}

/// Drops `file` onto the meeting, as a person dragging it from the desktop would.
pub fn drop_onto_meeting(file: &str) -> String {
    format!(
        "(() => {{ const data = new DataTransfer(); data.items.add({file}); \
         document.querySelector('.meeting').dispatchEvent(new DragEvent('drop', {{ dataTransfer: data, bubbles: true, cancelable: true }})); return true; }})()"
    )
}

/// The Save link of the received file `name` (`null` if none).
pub fn save_link(name: &str) -> String {
    format!("document.querySelector('a.save[aria-label=\"Save {name}\"]')")
}

/// The SHA-256 (hex) of what the Save link of `name` offers, read through the observer of a
/// Chromium page ([`crate::open_meeting`]); "not a download" if the link would open the file.
pub async fn received_hash(page: &impl Tab, name: &str) -> Result<String> {
    let link = save_link(name);
    page.read(&format!(
        "(async () => {{ const a = {link}; if (!a.hasAttribute('download')) return 'not a download'; \
         return window.__sha256(window.__stubeBlobs.get(a.href)); }})()"
    ))
    .await
}
