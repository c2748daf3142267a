//! Reading a text file from this page's own server (the CSP allows no other origin).

use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;

/// The file could not be fetched or read; the pages only say that it could not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotLoaded;

/// The text of `path` (`/operator.json`) on this page's server; any network error or a status
/// other than 2xx is [`NotLoaded`].
pub async fn text(path: &str) -> Result<String, NotLoaded> {
    let window = web_sys::window().ok_or(NotLoaded)?;
    let response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| NotLoaded)?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| NotLoaded)?;
    if !response.ok() {
        return Err(NotLoaded);
    }
    JsFuture::from(response.text().map_err(|_| NotLoaded)?)
        .await
        .map_err(|_| NotLoaded)?
        .as_string()
        .ok_or(NotLoaded)
}
