//! The root component: the start page, the meeting named in the URL fragment, or the privacy
//! notice or imprint named by the path; and on every page the footer linking those two, with the
//! language switch.

use super::language::{LanguageSwitch, provide_language};
use super::legal::{LegalLinks, LegalView};
use super::{home::Home, prejoin::MeetingRoom};
use crate::invite::{self, Invite};
use crate::operator::LegalPage;
use leptos::prelude::*;

/// A passphrase waiting for the pre-join page of one meeting: the one the host just generated, or
/// one read from an invite link (then removed from the address bar). The pre-join page takes it,
/// so it leaves this state at once, and only for the meeting it was given for: it never pre-fills
/// another room.
#[derive(Clone, Copy)]
pub struct PendingPassphrase(RwSignal<Option<(String, String)>>);

impl PendingPassphrase {
    /// Keeps `passphrase` for the pre-join page of `room` (the room as the invite fragment names it).
    pub fn offer(&self, room: &str, passphrase: String) {
        self.0.set(Some((room.to_owned(), passphrase)));
    }

    /// Takes the passphrase kept for `room`, if any; one kept for another room is dropped.
    pub fn take_for(&self, room: &str) -> Option<String> {
        let mut taken = None;
        self.0.update_untracked(|slot| {
            taken = slot.take().filter(|(kept, _)| kept == room).map(|(_, p)| p);
        });
        taken
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_language();
    let pending = PendingPassphrase(RwSignal::new(None));
    provide_context(pending);

    let invite = RwSignal::new(current_invite(pending));
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        invite.set(current_invite(pending))
    });
    on_cleanup(move || listener.remove());

    let legal = web_sys::window()
        .and_then(|window| window.location().pathname().ok())
        .and_then(|path| LegalPage::at(&path));
    // In a meeting the footer's links open a new tab: leaving the page would end the call.
    let in_meeting = Signal::derive(move || legal.is_none() && invite.with(Option::is_some));
    view! {
        <div class="app" data-app-ready>
            {move || match (legal, invite.get()) {
                (Some(page), _) => view! { <LegalView page/> }.into_any(),
                (None, None) => view! { <Home/> }.into_any(),
                (None, Some(invite)) => view! { <MeetingRoom invite/> }.into_any(),
            }}
            <footer class="site-footer">
                <LegalLinks current=legal new_tab=in_meeting/>
                <LanguageSwitch/>
            </footer>
        </div>
    }
}

/// The meeting the address names. A passphrase in the link moves into `pending` and out of the
/// address bar at once; the invite the app keeps never holds it.
fn current_invite(pending: PendingPassphrase) -> Option<Invite> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let mut invite = invite::parse_fragment(&hash)?;
    if let Some(passphrase) = invite.passphrase.take() {
        forget_passphrase_in_address_bar(&invite.room);
        pending.offer(&invite.room, passphrase);
    }
    Some(invite)
}

/// Replaces the address (and its history entry) with the link without the passphrase. No
/// `hashchange` fires, so the page stays as it is. Earlier history entries and synced history may
/// still hold the link: the invite option says so.
fn forget_passphrase_in_address_bar(room: &str) {
    let Some(history) = web_sys::window().and_then(|window| window.history().ok()) else {
        return;
    };
    let url = format!("#{}", invite::fragment(room, None));
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}

/// Goes to `fragment` (without `#`), or to the start page when it is empty.
pub fn navigate_to_fragment(fragment: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(fragment);
    }
}
