//! Copying text, with a short "Copied" confirmation on the button that did it.

use leptos::prelude::*;

/// Copies `text`; sets `copied` for two seconds when the browser accepted it.
pub fn copy(text: String, copied: RwSignal<bool>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
            copied.set(true);
            gloo_timers::future::TimeoutFuture::new(2_000).await;
            let _ = copied.try_set(false);
        }
    });
}
