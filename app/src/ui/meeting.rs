//! The meeting: the grid of tiles (in a larger meeting the speaker large, unless someone shares
//! a screen), the participant list, the controls with keyboard shortcuts, the status banner and
//! the toasts.

use super::app::navigate_to_fragment;
use super::chat::ChatPanel;
use super::clipboard::copy;
use super::devices::DevicePicker;
use super::files::{FilesPanel, SendFileButton, send_all};
use super::home::origin;
use super::language::use_locale;
use super::participants::ParticipantItem;
use super::tile::{LocalTile, RemoteTile, ScreenTile, status_text};
use crate::call::{MediaProblem, MeetingState, ServerState, Session, UiAction};
use crate::i18n::{Locale, person};
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{RoomStatus, Route};
use protocol::CloseCode;

/// Toasts shown at once, the newest: a burst (six people joining together) would otherwise cover
/// a phone's screen. Each older one was announced when it came, and goes with its timer.
const MAX_TOASTS_SHOWN: usize = 3;
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
    let locale = use_locale();
    let act = Callback::new(move |action| session.act(action));
    let chat_open = RwSignal::new(false);
    let devices_open = RwSignal::new(false);
    // Open by default: who is in the meeting is for everyone to see.
    let participants_open = RwSignal::new(true);
    let sharing = move || {
        state.tiles.with(|tiles| {
            tiles
                .iter()
                .any(|tile| tile.view.with(|view| view.screen.is_some()))
        })
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
    let banner = move || banner_text(locale.get(), state.server.get(), state.room.get());
    // Read by views nested twice (`Show` in `Show`), so kept where every closure can reach them.
    let my_name = StoredValue::new(my_name);
    let me = Signal::derive(move || {
        let you = td_string!(locale.get(), you);
        my_name.with_value(|name| match name.trim() {
            "" => you.to_owned(),
            name => format!("{name} ({you})"),
        })
    });
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
                <p>{move || td_string!(locale.get(), you_left)}</p>
                <button class="primary" on:click=move |_| on_rejoin.run(())>{move || td_string!(locale.get(), rejoin)}</button>
                <button on:click=move |_| navigate_to_fragment("")>{move || td_string!(locale.get(), back_home)}</button>
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
                    }>{move || if invite_copied.get() { td_string!(locale.get(), copied) } else { td_string!(locale.get(), copy_link) }}</button>
                </header>
                <div class="notices">
                    {move || banner().map(|text| view! { <p class="banner" role="status">{text}</p> })}
                    <For each=move || state.untrustworthy.get().into_iter().enumerate() key=|(index, _)| *index let((_, name))>
                        <p class="banner error" role="alert">{move || { let locale = locale.get(); td_string!(locale, untrustworthy, name = person(locale, &name)) }}</p>
                    </For>
                    <For each=move || changed_safety_numbers(state) key=|(peer, _)| *peer let((_, name))>
                        <p class="banner error" role="alert">{move || { let locale = locale.get(); td_string!(locale, safety_number_changed, name = person(locale, &name)) }}</p>
                    </For>
                    <Show when=move || state.sharing.get()>
                        <p class="banner sharing" role="status">
                            {move || td_string!(locale.get(), sharing_banner)}" "
                            <button on:click=move |_| act.run(UiAction::ToggleScreen)>{move || td_string!(locale.get(), stop_sharing)}</button>
                        </p>
                    </Show>
                    {move || state.screen_problem.get().map(|problem| view! {
                        <p class="banner error" role="alert">{match problem {
                            MediaProblem::Denied => td_string!(locale.get(), screen_denied),
                            _ => td_string!(locale.get(), screen_failed),
                        }}</p>
                    })}
                    {move || state.media_problem.get().map(|problem| view! {
                        <p class="banner error" role="alert">{match problem {
                            MediaProblem::Denied => td_string!(locale.get(), devices_denied),
                            MediaProblem::Missing => td_string!(locale.get(), devices_missing),
                            MediaProblem::Failed => td_string!(locale.get(), devices_failed),
                        }}</p>
                    })}
                    <Show when=move || state.relay.get().is_some_and(|offer| mesh::hidden_without_relay(offer, state.hide_ip.get()))>
                        <p class="banner warning" role="status">{move || td_string!(locale.get(), hide_ip_no_relay_in_meeting)}</p>
                    </Show>
                    <Show when=move || state.microphone.get() && state.devices.microphone_silenced.get()>
                        <p class="banner warning" role="status">{move || td_string!(locale.get(), microphone_silenced)}</p>
                    </Show>
                    <Show when=move || { state.unverified.get() > 0 }>
                        <p class="hint presence" role="status">{move || td_string!(locale.get(), unverified_present, count = state.unverified.get())}</p>
                    </Show>
                </div>
                <Show when=move || !lobby() fallback=move || view! {
                    <section class="lobby">
                        <Show when=mismatch>
                            <p>{move || td_string!(locale.get(), mismatch_hint)}</p>
                            <button class="primary" on:click=retry>{move || td_string!(locale.get(), enter_passphrase_again)}</button>
                        </Show>
                    </section>
                }>
                    <section class="grid" data-tiles=move || state.tiles.with(Vec::len) + 1
                        class:presenting=sharing class:spotlight=move || spotlight.get().is_some()>
                        <For each=move || state.tiles.get().into_iter().filter(|tile| tile.view.with(|view| view.screen.is_some()))
                            key=|tile| tile.peer let(tile)>
                            <ScreenTile peer=tile.peer view=tile.view.into()/>
                        </For>
                        <LocalTile label=me name=my_name.get_value() stream=state.local_stream
                            camera=state.camera microphone=state.microphone hand=state.hand/>
                        <For each=move || state.tiles.get() key=|tile| tile.peer let(tile)>
                            <RemoteTile peer=tile.peer view=tile.view.into() speaking=state.speaking audio_only=state.audio_only
                                speaker spotlight/>
                        </For>
                    </section>
                    <aside class="participants">
                        <Show when=move || devices_open.get()>
                            <section class="devices-panel" id="devices-panel" aria-label=move || td_string!(locale.get(), devices)>
                                <h2>{move || td_string!(locale.get(), devices)}</h2>
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
                                <h2 id="participants-heading">{move || td_string!(locale.get(), participants)}</h2>
                                <ul>
                                    <li>{move || me.get()}</li>
                                    <For each=move || state.tiles.get() key=|tile| tile.peer let(tile)>
                                        <ParticipantItem peer=tile.peer view=tile.view.into() act/>
                                    </For>
                                </ul>
                            </section>
                        </Show>
                        <ConnectionDetails state/>
                    </aside>
                </Show>
                <footer class="controls">
                    <button aria-keyshortcuts="M" aria-pressed=move || (!state.microphone.get()).to_string()
                        aria-label=move || if state.microphone.get() { td_string!(locale.get(), mute) } else { td_string!(locale.get(), unmute) }
                        on:click=move |_| act.run(UiAction::ToggleMicrophone)>
                        {move || if state.microphone.get() { td_string!(locale.get(), mute) } else { td_string!(locale.get(), unmute) }}
                    </button>
                    <button aria-keyshortcuts="V" disabled=move || state.audio_only.get()
                        aria-label=move || if state.camera.get() { td_string!(locale.get(), stop_camera) } else { td_string!(locale.get(), start_camera) }
                        on:click=move |_| act.run(UiAction::ToggleCamera)>
                        {move || if state.camera.get() { td_string!(locale.get(), stop_camera) } else { td_string!(locale.get(), start_camera) }}
                    </button>
                    <button aria-keyshortcuts="C" aria-label=move || td_string!(locale.get(), chat) aria-expanded=move || chat_open.get().to_string()
                        on:click=move |_| toggle_chat()>
                        {move || td_string!(locale.get(), chat)}
                        <Show when=move || { state.chat_unread.get() > 0 }>
                            " "<span class="badge" title=move || td_string!(locale.get(), unread, count = state.chat_unread.get())>
                                {move || state.chat_unread.get()}
                            </span>
                        </Show>
                    </button>
                    <button aria-keyshortcuts="P" aria-expanded=move || participants_open.get().to_string()
                        on:click=move |_| participants_open.update(|open| *open = !*open)>{move || td_string!(locale.get(), participants)}</button>
                    <SendFileButton act/>
                    <button aria-keyshortcuts="S" aria-pressed=move || state.sharing.get().to_string()
                        on:click=move |_| act.run(UiAction::ToggleScreen)>{move || td_string!(locale.get(), share_screen)}</button>
                    <button aria-keyshortcuts="H" aria-pressed=move || state.hand.get().is_some().to_string()
                        aria-label=move || if state.hand.get().is_some() { td_string!(locale.get(), lower_hand) } else { td_string!(locale.get(), raise_hand) }
                        on:click=move |_| act.run(UiAction::ToggleHand)>
                        {move || if state.hand.get().is_some() { td_string!(locale.get(), lower_hand) } else { td_string!(locale.get(), raise_hand) }}
                    </button>
                    <button aria-pressed=move || state.audio_only.get().to_string()
                        on:click=move |_| act.run(UiAction::ToggleAudioOnly)>{move || td_string!(locale.get(), audio_only)}</button>
                    <button aria-expanded=move || devices_open.get().to_string()
                        on:click=move |_| devices_open.update(|open| *open = !*open)>{move || td_string!(locale.get(), devices)}</button>
                    <button class="leave" aria-keyshortcuts="L" aria-label=move || td_string!(locale.get(), leave)
                        on:click=move |_| act.run(UiAction::Leave)>{move || td_string!(locale.get(), leave)}</button>
                    <span class="hint">{move || td_string!(locale.get(), shortcuts_hint)}</span>
                </footer>
                <div class="toasts" aria-live="polite">
                    <For each=move || state.toasts.with(|toasts| toasts[toasts.len().saturating_sub(MAX_TOASTS_SHOWN)..].to_vec())
                        key=|toast| toast.id let(toast)>
                        <p class="toast">{move || (toast.text)(locale.get())}</p>
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
    let locale = use_locale();
    view! {
        <details class="details">
            <summary>{move || td_string!(locale.get(), connection_details)}</summary>
            <ul>
                {move || state.tiles.get().into_iter().map(|tile| tile.view.get()).map(|tile| view! {
                    <li>
                        {person(locale.get(), &tile.name)}": "{status_text(locale.get(), tile.status)}
                        {tile.route.map(|route| format!(" · {}", match route {
                            Route::Direct => td_string!(locale.get(), route_direct),
                            Route::Relayed => td_string!(locale.get(), route_relayed),
                        }))}
                        {tile.safety_number.map(|number| format!(" · {}: {number}", td_string!(locale.get(), safety_number)))}
                    </li>
                }).collect_view()}
            </ul>
            <p>{move || td_string!(locale.get(), dropped, count = state.dropped.get())}</p>
        </details>
    }
}

/// Participants whose safety number differs from the one the user marked as verified.
fn changed_safety_numbers(state: MeetingState) -> Vec<(protocol::PeerId, String)> {
    state.tiles.with(|tiles| {
        tiles
            .iter()
            .filter_map(|tile| {
                tile.view.with(|view| {
                    (view.verification == mesh::Verification::Changed)
                        .then(|| (tile.peer, view.name.clone()))
                })
            })
            .collect()
    })
}

/// The one-line status above the grid, if there is something to say.
fn banner_text(locale: Locale, server: ServerState, room: RoomStatus) -> Option<String> {
    let text = match server {
        ServerState::Connecting => td_string!(locale, connecting_to_server).to_owned(),
        ServerState::Lost => td_string!(locale, server_lost).to_owned(),
        ServerState::Refused(Some(CloseCode::RoomFull)) => td_string!(locale, room_full).to_owned(),
        ServerState::Refused(Some(CloseCode::TooManyRooms | CloseCode::TooManyConnections)) => {
            td_string!(locale, server_busy).to_owned()
        }
        ServerState::Refused(code) => format!(
            "{} ({})",
            td_string!(locale, server_refused),
            code.map_or("?", CloseCode::reason)
        ),
        ServerState::Connected => match room {
            RoomStatus::Joining => td_string!(locale, connecting_to_server).to_owned(),
            RoomStatus::WaitingForOthers => td_string!(locale, waiting_for_others).to_owned(),
            RoomStatus::Verifying => td_string!(locale, verifying).to_owned(),
            RoomStatus::PassphraseMismatch => td_string!(locale, passphrase_mismatch).to_owned(),
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
