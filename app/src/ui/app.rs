//! The root component: the start page, or the meeting named in the URL fragment.

use super::{home::Home, prejoin::MeetingRoom};
use crate::i18n::{self, Texts};
use crate::invite::{self, Invite};
use leptos::prelude::*;

/// A passphrase the host just generated, handed to the pre-join page without putting it in the URL.
#[derive(Clone, Copy)]
pub struct HostPassphrase(pub RwSignal<Option<String>>);

#[component]
pub fn App() -> impl IntoView {
    let language = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    let texts: &'static Texts = i18n::for_language(&language);
    provide_context(texts);
    provide_context(HostPassphrase(RwSignal::new(None)));
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", texts.lang);
    }

    let invite = RwSignal::new(current_invite());
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        invite.set(current_invite())
    });
    on_cleanup(move || listener.remove());

    view! {
        <div class="app" data-app-ready>
            {move || match invite.get() {
                None => view! { <Home/> }.into_any(),
                Some(invite) => view! { <MeetingRoom invite/> }.into_any(),
            }}
        </div>
    }
}

fn current_invite() -> Option<Invite> {
    let hash = web_sys::window()?.location().hash().ok()?;
    invite::parse_fragment(&hash)
}

/// Goes to `fragment` (without `#`), or to the start page when it is empty.
pub fn navigate_to_fragment(fragment: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(fragment);
    }
}
