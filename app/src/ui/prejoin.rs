//! One meeting, from the pre-join page (name, passphrase, devices with preview) through the key
//! derivation to the meeting itself.

use super::app::{PendingPassphrase, navigate_to_fragment};
use super::devices::{DevicePicker, MicrophoneMeter};
use super::early_keys::EarlyKeys;
use super::hide_ip::HideIpBox;
use super::language::use_locale;
use super::meeting::Meeting;
use crate::call::{
    DeviceWatch, LocalMedia, MediaKind, MediaProblem, MeetingState, Session, Share, acquire,
    device_of, list_devices,
};
use crate::invite::Invite;
use crate::prefs;
use crypto::{Language, WordList};
use leptos::html::Video;
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{DeviceKind, Devices};
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone)]
enum Phase {
    PreJoin,
    DerivingKeys,
    InMeeting {
        session: Session,
        state: Box<MeetingState>,
        name: String,
    },
    CannotStart,
}

#[component]
pub fn MeetingRoom(invite: Invite) -> impl IntoView {
    let locale = use_locale();
    let pending_passphrase = expect_context::<PendingPassphrase>();
    let Ok(room) = crypto::RoomName::parse(&invite.room) else {
        return view! {
            <main class="prejoin">
                <p class="error" role="alert">{move || td_string!(locale.get(), invalid_link)}</p>
                <button on:click=move |_| navigate_to_fragment("")>{move || td_string!(locale.get(), back_home)}</button>
            </main>
        }
        .into_any();
    };
    let prefill = pending_passphrase
        .take_for(&invite.room)
        .unwrap_or_default();
    let name = RwSignal::new(String::new());
    let passphrase = RwSignal::new(prefill);
    let phase = RwSignal::new(Phase::PreJoin);
    let early_keys = EarlyKeys::follow(passphrase, room.clone());
    let media = StoredValue::new_local(LocalMedia::new().ok());
    let camera = RwSignal::new(false);
    let microphone = RwSignal::new(false);
    let camera_pending = RwSignal::new(false);
    let microphone_pending = RwSignal::new(false);
    let problem = RwSignal::new(None::<MediaProblem>);
    let passphrase_missing = RwSignal::new(false);

    // Audio only: the camera is never requested, and the call neither sends nor receives video.
    let audio_only = RwSignal::new(prefs::audio_only_wanted());
    // "Hide my IP address", and what the last welcome of this page offered for relaying.
    let hide_ip = RwSignal::new(prefs::hide_ip_wanted());
    let relay = RwSignal::new(None::<mesh::RelayOffer>);
    let hide_ip_choice = move || mesh::hide_ip_choice(relay.get(), hide_ip.get());
    // The browser's devices, read again when something is plugged in or out and once permission
    // reveals their names.
    let devices = RwSignal::new(Devices::default());
    let in_use = RwSignal::new(
        prefs::chosen_device(DeviceKind::Speaker)
            .map(|id| BTreeMap::from([(DeviceKind::Speaker, id)]))
            .unwrap_or_default(),
    );
    let refresh_devices = move || {
        leptos::task::spawn_local(async move {
            let _ = devices.try_set(list_devices().await);
        })
    };
    let _device_watch = StoredValue::new_local(DeviceWatch::new(refresh_devices));
    // The microphone's track, for the level meter.
    let microphone_track = RwSignal::new(None::<SendWrapper<web_sys::MediaStreamTrack>>);
    // Turns a device on (from `chosen` exactly, or else the remembered one while it is plugged
    // in) or off.
    let start_device = move |kind: MediaKind, on: bool, chosen: Option<String>| {
        let (flag, pending) = match kind {
            MediaKind::Video => (camera, camera_pending),
            MediaKind::Audio => (microphone, microphone_pending),
        };
        prefs::remember_device(kind, on);
        if !on {
            media.update_value(|m| m.as_mut().map(|m| m.stop(kind)).unwrap_or_default());
            flag.set(false);
            if kind == MediaKind::Audio {
                microphone_track.set(None);
            }
            return;
        }
        pending.set(true);
        leptos::task::spawn_local(async move {
            let requested = acquire(kind, chosen).await.map(|(track, listed)| {
                let _ = devices.try_set(listed);
                track
            });
            let _ = pending.try_set(false);
            match requested {
                // Audio only was chosen while the camera prompt was open: release it at once.
                Ok(track) if kind == MediaKind::Video && audio_only.get_untracked() => track.stop(),
                Ok(track) => {
                    // A track already there (another device) is stopped: its light goes off.
                    let kept = media
                        .try_update_value(|m| m.as_mut().map(|m| m.insert(kind, track.share())))
                        .flatten()
                        .is_some();
                    if !kept {
                        // The page moved on while the prompt was open: release the device.
                        track.stop();
                        return;
                    }
                    if let Some(id) = device_of(&track) {
                        in_use.update(|in_use| drop(in_use.insert(kind.device(), id)));
                    }
                    if kind == MediaKind::Audio {
                        microphone_track.set(Some(SendWrapper::new(track.share())));
                    }
                    let _ = problem.try_set(None);
                    let _ = flag.try_set(true);
                }
                Err(found) => drop(problem.try_set(Some(found))),
            }
        });
    };
    let set_device = move |kind: MediaKind, on: bool| start_device(kind, on, None);
    let choose_device = move |(kind, id): (DeviceKind, String)| {
        prefs::remember_chosen_device(kind, &id);
        in_use.update(|in_use| drop(in_use.insert(kind, id.clone())));
        let media_kind = match kind {
            DeviceKind::Camera => MediaKind::Video,
            DeviceKind::Microphone => MediaKind::Audio,
            DeviceKind::Speaker => return,
        };
        let on = match media_kind {
            MediaKind::Video => camera.get_untracked(),
            MediaKind::Audio => microphone.get_untracked(),
        };
        if on {
            start_device(media_kind, true, Some(id));
        }
    };
    // The devices this browser last chose, on opening the page and on coming back to it.
    let restore_devices = move || {
        for kind in [MediaKind::Audio, MediaKind::Video] {
            let refused = kind == MediaKind::Video && audio_only.get_untracked();
            if prefs::device_wanted(kind) && !refused {
                set_device(kind, true);
            }
        }
    };
    restore_devices();
    leptos::task::spawn_local(async move { drop(devices.try_set(list_devices().await)) });
    let toggle_audio_only = move |_| {
        let on = !audio_only.get_untracked();
        audio_only.set(on);
        prefs::remember_audio_only(on);
        if on && camera.get_untracked() {
            media.update_value(|m| {
                m.as_mut()
                    .map(|m| m.stop(MediaKind::Video))
                    .unwrap_or_default()
            });
            camera.set(false);
        }
    };

    let preview = NodeRef::<Video>::new();
    Effect::new(move |_| {
        if let Some(video) = preview.get() {
            media.with_value(|m| video.set_src_object(m.as_ref().map(LocalMedia::stream)));
        }
    });

    let join = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if camera_pending.get() || microphone_pending.get() {
            return;
        }
        let typed = passphrase.get();
        if typed.trim().is_empty() {
            passphrase_missing.set(true);
            return;
        }
        let keys = early_keys.claim(&typed);
        // The passphrase leaves the UI's state now; only the derived keys live on.
        passphrase.set(String::new());
        passphrase_missing.set(false);
        phase.set(Phase::DerivingKeys);
        leptos::task::spawn_local(async move {
            let keys = keys.await;
            if phase.try_get_untracked().is_none() {
                // The page was left while the keys were derived: no meeting starts unseen.
                return;
            }
            let Ok(keys) = keys else {
                phase.set(Phase::CannotStart);
                return;
            };
            let local = media
                .try_update_value(|m| m.take())
                .flatten()
                .or_else(|| LocalMedia::new().ok());
            let Some(local) = local else {
                phase.set(Phase::CannotStart);
                return;
            };
            let state = MeetingState {
                relay,
                ..MeetingState::new()
            };
            let my_name = name.get_untracked();
            let session = Session::start(
                &my_name,
                keys,
                local,
                audio_only.get_untracked(),
                untrack(hide_ip_choice).checked,
                state,
            );
            phase.set(Phase::InMeeting {
                session,
                state: Box::new(state),
                name: my_name,
            });
        });
    };
    let rejoin = move || {
        media.set_value(LocalMedia::new().ok());
        camera.set(false);
        microphone.set(false);
        microphone_track.set(None);
        phase.set(Phase::PreJoin);
        restore_devices();
    };
    // After a passphrase mismatch: the same form, name kept, the (already emptied) passphrase
    // field focused.
    let passphrase_input = NodeRef::<leptos::html::Input>::new();
    let focus_passphrase = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(input) = passphrase_input.get()
            && focus_passphrase.get_untracked()
        {
            let _ = input.focus();
        }
    });
    let retry_passphrase = move || {
        focus_passphrase.set(true);
        rejoin();
    };
    on_cleanup(move || {
        if let Phase::InMeeting { session, .. } = phase.get_untracked() {
            session.act(crate::call::UiAction::Leave);
        }
    });

    // The strength hint counts list words as drawn from the lists once they are here; they are
    // fetched when the passphrase field first has text (an invite link without the passphrase
    // never needs them), and until then, or if they do not load, words count by their letters.
    let word_lists = RwSignal::new(Vec::<Arc<WordList>>::new());
    let word_lists_requested = StoredValue::new(false);
    Effect::new(move |_| {
        if passphrase.with(|text| text.trim().is_empty()) || word_lists_requested.get_value() {
            return;
        }
        word_lists_requested.set_value(true);
        leptos::task::spawn_local(async move {
            for language in Language::ALL {
                if let Ok(list) = crate::word_lists::load(language).await {
                    word_lists.try_update(|lists| lists.push(list));
                }
            }
        });
    });
    let strength = move || {
        word_lists.with(|lists| {
            let lists: Vec<&WordList> = lists.iter().map(|list| &**list).collect();
            crypto::estimate_strength(&passphrase.get(), &lists)
        })
    };
    let room_title = room.as_str().to_owned();
    let form = move || {
        view! {
            <form class="prejoin card" on:submit=join>
                <h1 class="room-title">{room_title.clone()}</h1>
                <label>
                    {move || td_string!(locale.get(), your_name)}
                    <input type="text" bind:value=name autocomplete="off" maxlength="64"/>
                </label>
                <label>
                    {move || td_string!(locale.get(), passphrase_label)}
                    <input type="text" node_ref=passphrase_input bind:value=passphrase autocomplete="off" spellcheck="false" autocapitalize="off"/>
                </label>
                <Show when=move || passphrase_missing.get()>
                    <p class="error" role="alert">{move || td_string!(locale.get(), passphrase_required)}</p>
                </Show>
                <Show when=move || { !passphrase.get().trim().is_empty() && strength().verdict == crypto::Verdict::Weak }>
                    <p class="warning" role="status">{move || td_string!(locale.get(), weak_passphrase)}</p>
                </Show>
                <div class="devices">
                    <button type="button" aria-pressed=move || camera.get().to_string()
                        disabled=move || camera_pending.get() || audio_only.get()
                        on:click=move |_| set_device(MediaKind::Video, !camera.get_untracked())>
                        {move || td_string!(locale.get(), camera)}
                    </button>
                    <button type="button" aria-pressed=move || microphone.get().to_string() disabled=move || microphone_pending.get()
                        on:click=move |_| set_device(MediaKind::Audio, !microphone.get_untracked())>
                        {move || td_string!(locale.get(), microphone)}
                    </button>
                    <button type="button" aria-pressed=move || audio_only.get().to_string() on:click=toggle_audio_only>
                        {move || td_string!(locale.get(), audio_only)}
                    </button>
                </div>
                <Show when=move || audio_only.get()>
                    <p class="hint">{move || td_string!(locale.get(), audio_only_hint)}</p>
                </Show>
                <HideIpBox choice=Signal::derive(hide_ip_choice) on_change=move |on| {
                    hide_ip.set(on);
                    prefs::remember_hide_ip(on);
                }/>
                <DevicePicker devices=devices.into() in_use=in_use.into() audio_only=audio_only.into()
                    on_choose=choose_device/>
                {move || microphone_track.get().map(|track| view! { <MicrophoneMeter track/> })}
                <video class="preview mirrored" node_ref=preview autoplay muted prop:muted=true playsinline
                    class:hidden=move || !camera.get()></video>
                {move || problem.get().map(|found| view! {
                    <p class="error" role="alert">{match found {
                        MediaProblem::Denied => td_string!(locale.get(), devices_denied),
                        MediaProblem::Missing => td_string!(locale.get(), devices_missing),
                        MediaProblem::Failed => td_string!(locale.get(), devices_failed),
                    }}</p>
                })}
                <button type="submit" class="primary" disabled=move || camera_pending.get() || microphone_pending.get()>{move || td_string!(locale.get(), join)}</button>
            </form>
        }
    };

    view! {
        <main class="room">
            {move || match phase.get() {
                Phase::PreJoin => form().into_any(),
                Phase::DerivingKeys => view! {
                    <p class="progress" role="status" aria-busy="true">{move || td_string!(locale.get(), deriving_keys)}</p>
                }.into_any(),
                Phase::CannotStart => view! {
                    <p class="error" role="alert">{move || td_string!(locale.get(), cannot_start)}</p>
                }.into_any(),
                Phase::InMeeting { session, state, name } => view! {
                    <Meeting room=room.as_str().to_owned() session state=*state my_name=name on_rejoin=rejoin
                        on_retry_passphrase=retry_passphrase/>
                }.into_any(),
            }}
        </main>
    }
    .into_any()
}
