//! One error type for everything JavaScript throws, converted once at the boundary.

use wasm_bindgen::{JsCast, JsValue};

/// A JavaScript exception or rejected promise, reduced to its name and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsError {
    /// The DOMException or Error name, e.g. `NotAllowedError`.
    pub name: String,
    pub message: String,
}

impl From<JsValue> for JsError {
    fn from(value: JsValue) -> Self {
        match value.dyn_ref::<js_sys::Error>() {
            Some(error) => Self {
                name: error.name().into(),
                message: error.message().into(),
            },
            None => Self {
                name: "Error".to_owned(),
                message: value.as_string().unwrap_or_else(|| format!("{value:?}")),
            },
        }
    }
}

impl std::fmt::Display for JsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

impl std::error::Error for JsError {}

/// Awaits a JavaScript promise, converting a rejection into a [`JsError`].
pub async fn resolve(promise: js_sys::Promise) -> Result<JsValue, JsError> {
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(JsError::from)
}
