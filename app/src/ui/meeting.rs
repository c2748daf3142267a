//! The meeting: the grid of tiles, the participant list, the controls with keyboard shortcuts,
//! the status banner and the toasts.

use super::app::navigate_to_fragment;
use super::clipboard::copy;
use super::home::origin;
use super::tile::{LocalTile, RemoteTile};
use crate::call::{MeetingState, ServerState, Session, UiAction};
use crate::i18n::Texts;
use leptos::prelude::*;
use mesh::RoomStatus;
use protocol::CloseCode;

#[component]
pub fn Meeting(
    room: String,
    session: Session,
    state: MeetingState,
    my_name: String,
    #[prop(into)] on_rejoin: Callback<()>,
) -> impl IntoView {
    let texts = expect_context::<&'static Texts>();
    let act = Callback::new(move |action| session.act(action));
    let shortcuts = {
        window_event_listener(leptos::ev::keydown, move |event| {
            if event.ctrl_key() || event.alt_key() || event.meta_key() || typing_in_a_field(&event)
            {
                return;
            }
            let action = match event.key().as_str() {
                "m" | "M" => UiAction::ToggleMicrophone,
                "v" | "V" => UiAction::ToggleCamera,
                "l" | "L" => UiAction::Leave,
                _ => return,
            };
            event.prevent_default();
            act.run(action);
        })
    };
    on_cleanup(move || shortcuts.remove());

    let invite_copied = RwSignal::new(false);
    let invite_link = format!("{}/#{}", origin(), crate::invite::fragment(&room, None));
    let banner = move || banner_text(texts, state.server.get(), state.room.get());
    let me = if my_name.trim().is_empty() {
        texts.you.to_owned()
    } else {
        format!("{} ({})", my_name.trim(), texts.you)
    };
    let me_in_list = me.clone();

    view! {
        <Show when=move || !state.ended.get() fallback=move || view! {
            <section class="ended card">
                {move || banner().map(|text| view! { <p class="banner" role="status">{text}</p> })}
                <p>{texts.you_left}</p>
                <button class="primary" on:click=move |_| on_rejoin.run(())>{texts.rejoin}</button>
                <button on:click=move |_| navigate_to_fragment("")>{texts.back_home}</button>
            </section>
        }>
            <div class="meeting">
                <header class="meeting-bar">
                    <h1 class="room-title">{room.clone()}</h1>
                    <button on:click={
                        let invite_link = invite_link.clone();
                        move |_| copy(invite_link.clone(), invite_copied)
                    }>{move || if invite_copied.get() { texts.copied } else { texts.copy_link }}</button>
                </header>
                <div class="notices">
                    {move || banner().map(|text| view! { <p class="banner" role="status">{text}</p> })}
                    <For each=move || state.untrustworthy.get().into_iter().enumerate() key=|(index, _)| *index let((_, name))>
                        <p class="banner error" role="alert">{texts.untrustworthy(&name)}</p>
                    </For>
                    <Show when=move || { state.unverified.get() > 0 }>
                        <p class="hint presence" role="status">{move || texts.unverified_present(state.unverified.get())}</p>
                    </Show>
                </div>
                <section class="grid" data-tiles=move || state.tiles.with(Vec::len) + 1>
                    <LocalTile label=me.clone() stream=state.local_stream camera=state.camera/>
                    <For each=move || state.tiles.get() key=|tile| tile.peer let(tile)>
                        <RemoteTile peer=tile.peer tiles=state.tiles/>
                    </For>
                </section>
                <Show when=move || { state.dropped.get() > 0 }>
                    <p class="hint" role="status">{move || texts.dropped(state.dropped.get())}</p>
                </Show>
                <aside class="participants" aria-label=texts.participants>
                    <h2>{texts.participants}</h2>
                    <ul>
                        <li>{me_in_list.clone()}</li>
                        <For each=move || state.tiles.get() key=|tile| (tile.peer, tile.name.clone()) let(tile)>
                            <li>{tile.name}</li>
                        </For>
                    </ul>
                </aside>
                <footer class="controls">
                    <button aria-keyshortcuts="M" aria-pressed=move || (!state.microphone.get()).to_string()
                        aria-label=move || if state.microphone.get() { texts.mute } else { texts.unmute }
                        on:click=move |_| act.run(UiAction::ToggleMicrophone)>
                        {move || if state.microphone.get() { texts.mute } else { texts.unmute }}
                    </button>
                    <button aria-keyshortcuts="V"
                        aria-label=move || if state.camera.get() { texts.stop_camera } else { texts.start_camera }
                        on:click=move |_| act.run(UiAction::ToggleCamera)>
                        {move || if state.camera.get() { texts.stop_camera } else { texts.start_camera }}
                    </button>
                    <button class="leave" aria-keyshortcuts="L" aria-label=texts.leave
                        on:click=move |_| act.run(UiAction::Leave)>{texts.leave}</button>
                    <span class="hint">{texts.shortcuts_hint}</span>
                </footer>
                <div class="toasts" aria-live="polite">
                    <For each=move || state.toasts.get() key=|toast| toast.id let(toast)>
                        <p class="toast">{toast.text}</p>
                    </For>
                </div>
            </div>
        </Show>
    }
}

/// The one-line status above the grid, if there is something to say.
fn banner_text(texts: &'static Texts, server: ServerState, room: RoomStatus) -> Option<String> {
    let text = match server {
        ServerState::Connecting => texts.connecting_to_server.to_owned(),
        ServerState::Lost => texts.server_lost.to_owned(),
        ServerState::Refused(Some(CloseCode::RoomFull)) => texts.room_full.to_owned(),
        ServerState::Refused(Some(CloseCode::TooManyRooms | CloseCode::TooManyConnections)) => {
            texts.server_busy.to_owned()
        }
        ServerState::Refused(code) => format!(
            "{} ({})",
            texts.server_refused,
            code.map_or("?", CloseCode::reason)
        ),
        ServerState::Connected => match room {
            RoomStatus::Joining => texts.connecting_to_server.to_owned(),
            RoomStatus::WaitingForOthers => texts.waiting_for_others.to_owned(),
            RoomStatus::Verifying => texts.verifying.to_owned(),
            RoomStatus::PassphraseMismatch => texts.passphrase_mismatch.to_owned(),
            RoomStatus::InMeeting => return None,
        },
    };
    Some(text)
}

fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        })
}
