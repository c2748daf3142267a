//! Video tiles: the local self-view (mirrored, muted) and one per remote participant, with its
//! name and connection state. A tile whose camera is off shows the person's initials on a calm
//! background instead of a black picture (its `<video>` stays, hidden, and keeps playing the
//! sound); a muted microphone shows a muted icon.

use super::language::use_locale;
use crate::call::{TileView, play_on};
use crate::i18n::{Locale, person};
use leptos::html::Video;
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{ConnectionProblem, ParticipantStatus, Verification};
use protocol::PeerId;
use send_wrapper::SendWrapper;
use std::collections::BTreeSet;
use web_sys::MediaStream;

#[component]
pub fn LocalTile(
    /// "Ada (You)", in the language shown.
    label: Signal<String>,
    /// The name the initials come from.
    name: String,
    stream: RwSignal<Option<SendWrapper<MediaStream>>>,
    camera: RwSignal<bool>,
    microphone: RwSignal<bool>,
    /// Our place among the raised hands.
    hand: RwSignal<Option<usize>>,
) -> impl IntoView {
    let video = NodeRef::<Video>::new();
    Effect::new(move |_| {
        if let Some(element) = video.get() {
            stream.with(|stream| element.set_src_object(stream.as_deref()));
        }
    });
    view! {
        <figure class="tile local" class:camera-off=move || !camera.get()>
            <video class="mirrored" node_ref=video autoplay muted prop:muted=true playsinline></video>
            <Initials name=mesh::initials(&name)/>
            <figcaption>
                <span class="name">{move || label.get()}</span>
                <HandBadge position=Signal::from(hand)/>
                <MutedBadge muted=Signal::derive(move || !microphone.get())/>
            </figcaption>
        </figure>
    }
}

#[component]
pub fn RemoteTile(
    peer: PeerId,
    view: Signal<TileView>,
    speaking: RwSignal<BTreeSet<PeerId>>,
    /// In an audio-only call no video is received: every tile shows initials.
    audio_only: RwSignal<bool>,
    /// The speaker chosen for the meeting's sound (none: the system's).
    speaker: Signal<Option<String>>,
    /// Who is shown large, if anyone (a larger meeting without a shared screen).
    spotlight: Signal<Option<PeerId>>,
) -> impl IntoView {
    let locale = use_locale();
    let video = NodeRef::<Video>::new();
    Effect::new(move |_| {
        let (Some(element), Some(id)) = (video.get(), speaker.get()) else {
            return;
        };
        // A speaker that went away leaves the sound where it was.
        leptos::task::spawn_local(async move { drop(play_on(&element, &id).await) });
    });
    // Only a new track re-attaches the stream: setting srcObject restarts playback.
    let tracks = Memo::new(move |_| view.with(|view| view.tracks));
    Effect::new(move |_| {
        tracks.track();
        let Some(element) = video.get() else {
            return;
        };
        view.with_untracked(|view| element.set_src_object(Some(&view.stream)));
    });
    let safety_number = move || view.with(|view| view.safety_number.clone());
    let status = move || view.with(|view| view.status);
    let name = move || view.with(|view| person(locale.get(), &view.name));
    let media = move || view.with(|view| view.media);
    let verified = move || view.with(|view| view.verification == Verification::Verified);
    let problem = move || view.with(|view| view.problem);
    view! {
        <figure class="tile remote" data-peer=peer.0.to_string() data-status=move || status_key(status())
            class:camera-off=move || !media().camera || audio_only.get()
            class:speaking=move || speaking.with(|speakers| speakers.contains(&peer))
            class:featured=move || spotlight.get() == Some(peer)>
            <video node_ref=video autoplay playsinline></video>
            {move || view! { <Initials name=mesh::initials(&name())/> }}
            <figcaption>
                <span class="name">{name}</span>
                <VerifiedBadge verified=Signal::derive(verified)/>
                <HandBadge position=Signal::derive(move || view.with(|view| view.hand))/>
                <MutedBadge muted=Signal::derive(move || !media().microphone)/>
                <span class="state">{move || status_text(locale.get(), status())}</span>
                {move || problem().map(|problem| view! {
                    <span class="problem" role="status">{problem_text(locale.get(), problem)}</span>
                })}
                {move || safety_number().map(|number| view! {
                    <span class="safety-number" title=move || td_string!(locale.get(), safety_number_hint)>
                        {move || td_string!(locale.get(), safety_number)}": "<span data-testid="safety-number">{number}</span>
                    </span>
                })}
            </figcaption>
        </figure>
    }
}

/// A participant's shared screen, beside their camera tile (large in the presenter layout).
#[component]
pub fn ScreenTile(peer: PeerId, view: Signal<TileView>) -> impl IntoView {
    let locale = use_locale();
    let video = NodeRef::<Video>::new();
    // Only a new track re-attaches the stream: setting srcObject restarts playback.
    let tracks = Memo::new(move |_| view.with(|view| view.screen_tracks));
    Effect::new(move |_| {
        tracks.track();
        let Some(element) = video.get() else {
            return;
        };
        view.with_untracked(|view| {
            if let Some(screen) = &view.screen {
                element.set_src_object(Some(screen));
            }
        });
    });
    let caption = move || {
        view.with(|view| {
            let locale = locale.get();
            td_string!(locale, screen_of, name = person(locale, &view.name))
        })
    };
    view! {
        <figure class="tile screen" data-peer=peer.0.to_string()>
            <video node_ref=video autoplay muted prop:muted=true playsinline></video>
            <figcaption><span class="name">{caption}</span></figcaption>
        </figure>
    }
}

/// The initials shown in place of the picture while the camera is off (hidden otherwise by CSS).
#[component]
fn Initials(name: String) -> impl IntoView {
    view! { <div class="initials" aria-hidden="true">{name}</div> }
}

/// A check mark and "Verified" while the user's mark holds (see "Mark as verified").
#[component]
pub fn VerifiedBadge(verified: Signal<bool>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <Show when=move || verified.get()>
            <span class="verified-badge">"✓ "{move || td_string!(locale.get(), verified)}</span>
        </Show>
    }
}

/// A raised hand and its place in the order hands went up, named "Hand raised (n)".
#[component]
pub fn HandBadge(position: Signal<Option<usize>>) -> impl IntoView {
    let locale = use_locale();
    move || {
        position.get().map(|position| {
            let label = td_string!(locale.get(), hand_up, n = position);
            view! {
                <span class="hand-badge" role="img" aria-label=label.clone() title=label>
                    <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true" focusable="false">
                        <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"
                            stroke-linejoin="round" d=HAND_ICON/>
                    </svg>
                    {position}
                </span>
            }
        })
    }
}

/// A crossed-out microphone while `muted`, named "Microphone off" for screen readers.
#[component]
pub fn MutedBadge(muted: Signal<bool>) -> impl IntoView {
    let locale = use_locale();
    let label = Signal::derive(move || td_string!(locale.get(), microphone_off));
    view! { <OffBadge off=muted label icon=MICROPHONE_ICON/> }
}

/// The crossed-out camera, while the participant's camera is off.
#[component]
pub fn CameraOffBadge(off: Signal<bool>) -> impl IntoView {
    let locale = use_locale();
    let label = Signal::derive(move || td_string!(locale.get(), camera_off));
    view! { <OffBadge off label icon=CAMERA_ICON/> }
}

/// A microphone, as an SVG path on a 24 by 24 grid.
const MICROPHONE_ICON: &str = "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z";
/// A camera, as an SVG path on a 24 by 24 grid.
const CAMERA_ICON: &str =
    "M4 6h11a2 2 0 0 1 2 2v2.5l4-2.5v8l-4-2.5V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z";

/// A raised hand (four fingers and a thumb), as SVG strokes on a 24 by 24 grid: drawn, not an
/// emoji, so it shows without an emoji font.
const HAND_ICON: &str = "M8 13V5.5a1.5 1.5 0 0 1 3 0V12M11 11V4a1.5 1.5 0 0 1 3 0v7M14 11V5.5a1.5 1.5 0 0 1 3 0V13\
    M17 9.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-1a7 7 0 0 1-5.6-2.8l-3.1-3.6a1.5 1.5 0 0 1 2.4-1.8L8 16";

/// A device `icon`, crossed out, named `label` for screen readers, while `off`.
#[component]
fn OffBadge(off: Signal<bool>, label: Signal<&'static str>, icon: &'static str) -> impl IntoView {
    view! {
        <Show when=move || off.get()>
            <span class="muted-badge" role="img" aria-label=move || label.get() title=move || label.get()>
                <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
                    <path fill="currentColor" d=icon/>
                    <path stroke="currentColor" stroke-width="2" d="M4 4l16 16"/>
                </svg>
            </span>
        </Show>
    }
}

fn status_key(status: ParticipantStatus) -> &'static str {
    match status {
        ParticipantStatus::Connecting => "connecting",
        ParticipantStatus::Connected => "connected",
        ParticipantStatus::Reconnecting => "reconnecting",
        ParticipantStatus::Failed => "failed",
    }
}

pub fn status_text(locale: Locale, status: ParticipantStatus) -> &'static str {
    match status {
        ParticipantStatus::Connecting => td_string!(locale, status_connecting),
        ParticipantStatus::Connected => td_string!(locale, status_connected),
        ParticipantStatus::Reconnecting => td_string!(locale, status_reconnecting),
        ParticipantStatus::Failed => td_string!(locale, status_failed),
    }
}

/// Why a connection could not be made, in words the user (or the operator) can act on.
pub fn problem_text(locale: Locale, problem: ConnectionProblem) -> &'static str {
    match problem {
        ConnectionProblem::DirectBlocked => td_string!(locale, problem_direct_blocked),
        ConnectionProblem::RelayFailed => td_string!(locale, problem_relay_failed),
        ConnectionProblem::NoRelayToHide => td_string!(locale, problem_no_relay_to_hide),
    }
}
