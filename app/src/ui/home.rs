//! The start page: start a meeting (a generated room name and passphrase, with copy buttons) or
//! join one by link or name.

use super::app::{PendingPassphrase, navigate_to_fragment};
use super::clipboard::copy;
use super::language::use_locale;
use crate::i18n::Locale;
use crate::{invite, word_lists};
use leptos::prelude::*;
use leptos_i18n::td_string;

#[derive(Clone)]
struct NewMeeting {
    room: String,
    passphrase: String,
}

/// A new room name and a passphrase from the `language` word list (fetched on first use); `None`
/// if the list does not load (or the browser has no randomness).
async fn new_meeting(language: crypto::Language) -> Option<NewMeeting> {
    let list = word_lists::load(language).await.ok()?;
    let room = crypto::generate_room_name().ok()?;
    let passphrase = crypto::generate_passphrase(&list).ok()?;
    Some(NewMeeting {
        room: room.as_str().to_owned(),
        passphrase,
    })
}

#[component]
pub fn Home() -> impl IntoView {
    let locale = use_locale();
    let created = RwSignal::new(None::<NewMeeting>);
    let failed = RwSignal::new(false);
    let start = move |_| {
        let language = match locale.get_untracked() {
            Locale::en => crypto::Language::English,
            Locale::de => crypto::Language::German,
        };
        leptos::task::spawn_local(async move {
            let meeting = new_meeting(language).await;
            let _ = failed.try_set(meeting.is_none());
            if meeting.is_some() {
                let _ = created.try_set(meeting);
            }
        });
    };
    view! {
        <main class="home">
            <header class="brand">
                <h1>"Stube"</h1>
                <p>{move || td_string!(locale.get(), tagline)}</p>
            </header>
            <section class="card">
                <button class="primary" on:click=start>{move || td_string!(locale.get(), start_meeting)}</button>
                <Show when=move || failed.get()>
                    <p class="error" role="alert">{move || td_string!(locale.get(), start_failed)}</p>
                </Show>
                {move || created.get().map(|meeting| view! { <NewMeetingCard meeting/> })}
            </section>
            <JoinForm/>
        </main>
    }
}

#[component]
fn NewMeetingCard(meeting: NewMeeting) -> impl IntoView {
    let locale = use_locale();
    let pending = expect_context::<PendingPassphrase>();
    let include_passphrase = RwSignal::new(false);
    let link_copied = RwSignal::new(false);
    let passphrase_copied = RwSignal::new(false);
    let NewMeeting { room, passphrase } = meeting;
    let fragment = {
        let (room, passphrase) = (room.clone(), passphrase.clone());
        move || {
            invite::fragment(
                &room,
                include_passphrase.get().then_some(passphrase.as_str()),
            )
        }
    };
    let link = move || format!("{}/#{}", origin(), fragment());
    let go = {
        let (room, passphrase) = (room.clone(), passphrase.clone());
        move |_| {
            pending.offer(&room, passphrase.clone());
            navigate_to_fragment(&invite::fragment(&room, None));
        }
    };
    let copy_link = {
        let link = link.clone();
        move |_| copy(link(), link_copied)
    };
    let copy_passphrase = {
        let passphrase = passphrase.clone();
        move |_| copy(passphrase.clone(), passphrase_copied)
    };
    view! {
        <div class="new-meeting">
            <p class="field">
                <span class="label">{move || td_string!(locale.get(), room_name_label)}</span>
                <output class="secret" data-testid="room-name">{room.clone()}</output>
                <button on:click=copy_link>{move || if link_copied.get() { td_string!(locale.get(), copied) } else { td_string!(locale.get(), copy_link) }}</button>
            </p>
            <p class="field">
                <span class="label">{move || td_string!(locale.get(), passphrase_label)}</span>
                <output class="secret" data-testid="passphrase">{passphrase.clone()}</output>
                <button on:click=copy_passphrase>
                    {move || if passphrase_copied.get() { td_string!(locale.get(), copied) } else { td_string!(locale.get(), copy_passphrase) }}
                </button>
            </p>
            <p class="hint">{move || td_string!(locale.get(), send_separately)}</p>
            <label class="check">
                <input type="checkbox" bind:checked=include_passphrase/>
                {move || td_string!(locale.get(), include_passphrase)}
            </label>
            <Show when=move || include_passphrase.get()>
                <p class="warning">{move || td_string!(locale.get(), include_passphrase_warning)}</p>
            </Show>
            <button class="primary" on:click=go>{move || td_string!(locale.get(), go_to_meeting)}</button>
        </div>
    }
}

#[component]
fn JoinForm() -> impl IntoView {
    let locale = use_locale();
    let typed = RwSignal::new(String::new());
    let invalid = RwSignal::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match invite::parse_typed(&typed.get()) {
            Some(found) => {
                navigate_to_fragment(&invite::fragment(&found.room, found.passphrase.as_deref()))
            }
            None => invalid.set(true),
        }
    };
    view! {
        <form class="card" on:submit=submit>
            <label>
                {move || td_string!(locale.get(), meeting_link_label)}
                <input type="text" bind:value=typed autocomplete="off" spellcheck="false" required/>
            </label>
            <Show when=move || invalid.get()>
                <p class="error" role="alert">{move || td_string!(locale.get(), invalid_link)}</p>
            </Show>
            <button type="submit">{move || td_string!(locale.get(), join_meeting)}</button>
        </form>
    }
}

/// This page's own origin, for invite links.
pub fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
