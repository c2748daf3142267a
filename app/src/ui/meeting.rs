//! The meeting: the grid of tiles (in a larger meeting the speaker large, unless someone shares
//! a screen), the participant list, the controls with keyboard shortcuts, the status banner and
//! the toasts.

use super::app::navigate_to_fragment;
use super::chat::ChatPanel;
use super::clipboard::copy;
use super::devices::DevicePicker;
use super::files::{FilesPanel, SendFileButton, send_all};
use super::home::origin;
use super::participants::ParticipantItem;
use super::tile::{LocalTile, RemoteTile, ScreenTile, status_text};
use crate::call::{MediaProblem, MeetingState, ServerState, Session, UiAction};
use crate::i18n::Texts;
use leptos::prelude::*;
use mesh::{RoomStatus, Route};
use protocol::CloseCode;

#[component]
pub fn Meeting(
    room: String,
    session: Session,
    state: MeetingState,
    my_name: String,
    #[prop(into)] on_rejoin: Callback<()>,
    /// Leave, and go back to the pre-join form to type the passphrase again (name kept).
    #[prop(into)]
    on_retry_passphrase: Callback<()>,
) -> impl IntoView {
    let texts = expect_context::<&'static Texts>();
    let act = Callback::new(move |action| session.act(action));
    let chat_open = RwSignal::new(false);
    let devices_open = RwSignal::new(false);
    // Open by default: who is in the meeting is for everyone to see.
    let participants_open = RwSignal::new(true);
    let sharing = move || {
        state
            .tiles
            .with(|tiles| tiles.iter().any(|tile| tile.screen.is_some()))
    };
    let spotlight = Signal::derive(move || {
        let people = state.tiles.with(Vec::len) + 1;
        mesh::spotlight_applies(people, sharing())
            .then(|| state.spotlight.get())
            .flatten()
    });
    let speaker = Signal::derive(move || {
        state
            .devices
            .in_use
            .with(|in_use| in_use.get(&mesh::DeviceKind::Speaker).cloned())
    });
    let toggle_chat = move || {
        let open = !chat_open.get_untracked();
        chat_open.set(open);
        act.run(UiAction::ChatPanel(open));
    };
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
                "h" | "H" => UiAction::ToggleHand,
                "s" | "S" => UiAction::ToggleScreen,
                "c" | "C" => {
                    event.prevent_default();
                    toggle_chat();
                    return;
                }
                "p" | "P" => {
                    event.prevent_default();
                    participants_open.update(|open| *open = !*open);
                    return;
                }
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
    // Read by views nested twice (`Show` in `Show`), so kept where every closure can reach them.
    let me = StoredValue::new(me);
    let my_name = StoredValue::new(my_name);
    // Until someone is verified (or we know we are alone) there is no meeting to show yet.
    let lobby = move || {
        matches!(
            state.room.get(),
            RoomStatus::Joining | RoomStatus::Verifying | RoomStatus::PassphraseMismatch
        )
    };
    let mismatch = move || state.room.get() == RoomStatus::PassphraseMismatch;
    let retry = move |_| {
        act.run(UiAction::Leave);
        on_retry_passphrase.run(());
    };

    view! {
        <Show when=move || !state.ended.get() fallback=move || view! {
            <section class="ended card">
                {move || banner().map(|text| view! { <p class="banner" role="status">{text}</p> })}
                <p>{texts.you_left}</p>
                <button class="primary" on:click=move |_| on_rejoin.run(())>{texts.rejoin}</button>
                <button on:click=move |_| navigate_to_fragment("")>{texts.back_home}</button>
            </section>
        }>
            <div class="meeting"
                on:dragover=|event: leptos::ev::DragEvent| event.prevent_default()
                on:drop=move |event: leptos::ev::DragEvent| {
                    event.prevent_default();
                    send_all(event.data_transfer().and_then(|data| data.files()), None, act);
                }>
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
                    <For each=move || changed_safety_numbers(state) key=|(peer, _)| *peer let((_, name))>
                        <p class="banner error" role="alert">{texts.safety_number_changed(&name)}</p>
                    </For>
                    <Show when=move || state.sharing.get()>
                        <p class="banner sharing" role="status">
                            {texts.sharing_banner}" "
                            <button on:click=move |_| act.run(UiAction::ToggleScreen)>{texts.stop_sharing}</button>
                        </p>
                    </Show>
                    {move || state.screen_problem.get().map(|problem| view! {
                        <p class="banner error" role="alert">{match problem {
                            MediaProblem::Denied => texts.screen_denied,
                            _ => texts.screen_failed,
                        }}</p>
                    })}
                    {move || state.media_problem.get().map(|problem| view! {
                        <p class="banner error" role="alert">{match problem {
                            MediaProblem::Denied => texts.devices_denied,
                            MediaProblem::Missing => texts.devices_missing,
                            MediaProblem::Failed => texts.devices_failed,
                        }}</p>
                    })}
                    <Show when=move || state.relay.get().is_some_and(|offer| mesh::hidden_without_relay(offer, state.hide_ip.get()))>
                        <p class="banner warning" role="status">{texts.hide_ip_no_relay_in_meeting}</p>
                    </Show>
                    <Show when=move || state.microphone.get() && state.devices.microphone_silenced.get()>
                        <p class="banner warning" role="status">{texts.microphone_silenced}</p>
                    </Show>
                    <Show when=move || { state.unverified.get() > 0 }>
                        <p class="hint presence" role="status">{move || texts.unverified_present(state.unverified.get())}</p>
                    </Show>
                </div>
                <Show when=move || !lobby() fallback=move || view! {
                    <section class="lobby">
                        <Show when=mismatch>
                            <p>{texts.mismatch_hint}</p>
                            <button class="primary" on:click=retry>{texts.enter_passphrase_again}</button>
                        </Show>
                    </section>
                }>
                    <section class="grid" data-tiles=move || state.tiles.with(Vec::len) + 1
                        class:presenting=sharing class:spotlight=move || spotlight.get().is_some()>
                        <For each=move || state.tiles.get().into_iter().filter(|tile| tile.screen.is_some())
                            key=|tile| tile.peer let(tile)>
                            <ScreenTile peer=tile.peer tiles=state.tiles/>
                        </For>
                        <LocalTile label=me.get_value() name=my_name.get_value() stream=state.local_stream
                            camera=state.camera microphone=state.microphone hand=state.hand/>
                        <For each=move || state.tiles.get() key=|tile| tile.peer let(tile)>
                            <RemoteTile peer=tile.peer tiles=state.tiles speaking=state.speaking audio_only=state.audio_only
                                speaker spotlight/>
                        </For>
                    </section>
                    <aside class="participants">
                        <Show when=move || devices_open.get()>
                            <section class="devices-panel" id="devices-panel" aria-label=texts.devices>
                                <h2>{texts.devices}</h2>
                                <DevicePicker devices=state.devices.devices.into() in_use=state.devices.in_use.into()
                                    audio_only=state.audio_only.into()
                                    on_choose=move |(kind, id)| act.run(UiAction::UseDevice(kind, id))/>
                            </section>
                        </Show>
                        <Show when=move || chat_open.get()>
                            <ChatPanel lines=state.chat act/>
                        </Show>
                        <Show when=move || !state.transfers.with(Vec::is_empty)>
                            <FilesPanel transfers=state.transfers act/>
                        </Show>
                        <Show when=move || participants_open.get()>
                            <section id="participants-panel" aria-labelledby="participants-heading">
                                <h2 id="participants-heading">{texts.participants}</h2>
                                <ul>
                                    <li>{me.get_value()}</li>
                                    <For each=move || state.tiles.get() key=|tile| tile.peer let(tile)>
                                        <ParticipantItem peer=tile.peer tiles=state.tiles act/>
                                    </For>
                                </ul>
                            </section>
                        </Show>
                        <ConnectionDetails state/>
                    </aside>
                </Show>
                <footer class="controls">
                    <button aria-keyshortcuts="M" aria-pressed=move || (!state.microphone.get()).to_string()
                        aria-label=move || if state.microphone.get() { texts.mute } else { texts.unmute }
                        on:click=move |_| act.run(UiAction::ToggleMicrophone)>
                        {move || if state.microphone.get() { texts.mute } else { texts.unmute }}
                    </button>
                    <button aria-keyshortcuts="V" disabled=move || state.audio_only.get()
                        aria-label=move || if state.camera.get() { texts.stop_camera } else { texts.start_camera }
                        on:click=move |_| act.run(UiAction::ToggleCamera)>
                        {move || if state.camera.get() { texts.stop_camera } else { texts.start_camera }}
                    </button>
                    <button aria-keyshortcuts="C" aria-label=texts.chat aria-expanded=move || chat_open.get().to_string()
                        on:click=move |_| toggle_chat()>
                        {texts.chat}
                        <Show when=move || { state.chat_unread.get() > 0 }>
                            " "<span class="badge" title=move || texts.unread(state.chat_unread.get())>
                                {move || state.chat_unread.get()}
                            </span>
                        </Show>
                    </button>
                    <button aria-keyshortcuts="P" aria-expanded=move || participants_open.get().to_string()
                        on:click=move |_| participants_open.update(|open| *open = !*open)>{texts.participants}</button>
                    <SendFileButton act/>
                    <button aria-keyshortcuts="S" aria-pressed=move || state.sharing.get().to_string()
                        on:click=move |_| act.run(UiAction::ToggleScreen)>{texts.share_screen}</button>
                    <button aria-keyshortcuts="H" aria-pressed=move || state.hand.get().is_some().to_string()
                        aria-label=move || if state.hand.get().is_some() { texts.lower_hand } else { texts.raise_hand }
                        on:click=move |_| act.run(UiAction::ToggleHand)>
                        {move || if state.hand.get().is_some() { texts.lower_hand } else { texts.raise_hand }}
                    </button>
                    <button aria-pressed=move || state.audio_only.get().to_string()
                        on:click=move |_| act.run(UiAction::ToggleAudioOnly)>{texts.audio_only}</button>
                    <button aria-expanded=move || devices_open.get().to_string()
                        on:click=move |_| devices_open.update(|open| *open = !*open)>{texts.devices}</button>
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

/// What only someone curious or troubleshooting needs, closed by default: each connection's
/// state and safety number, and how many signalling messages could not be opened.
#[component]
fn ConnectionDetails(state: MeetingState) -> impl IntoView {
    let texts = expect_context::<&'static Texts>();
    view! {
        <details class="details">
            <summary>{texts.connection_details}</summary>
            <ul>
                {move || state.tiles.get().into_iter().map(|tile| view! {
                    <li>
                        {tile.name}": "{status_text(texts, tile.status)}
                        {tile.route.map(|route| format!(" · {}", match route {
                            Route::Direct => texts.route_direct,
                            Route::Relayed => texts.route_relayed,
                        }))}
                        {tile.safety_number.map(|number| format!(" · {}: {number}", texts.safety_number))}
                    </li>
                }).collect_view()}
            </ul>
            <p>{move || texts.dropped(state.dropped.get())}</p>
        </details>
    }
}

/// Participants whose safety number differs from the one the user marked as verified.
fn changed_safety_numbers(state: MeetingState) -> Vec<(protocol::PeerId, String)> {
    state.tiles.with(|tiles| {
        tiles
            .iter()
            .filter(|tile| tile.verification == mesh::Verification::Changed)
            .map(|tile| (tile.peer, tile.name.clone()))
            .collect()
    })
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
