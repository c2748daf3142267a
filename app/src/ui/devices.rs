//! Choosing devices, on the pre-join page and in the meeting's "Devices" panel: one list each for
//! camera, microphone and speaker (the speaker only where the browser can choose it), and the
//! live microphone level meter of the pre-join page.

use super::language::use_locale;
use crate::call::{MicrophoneLevel, Reading, can_choose_speaker};
use crate::i18n::Locale;
use gloo_timers::callback::Interval;
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{DeviceKind, DeviceName, Devices};
use send_wrapper::SendWrapper;
use std::collections::BTreeMap;
use web_sys::MediaStreamTrack;

/// How often the level meter reads the microphone.
const METER_MILLIS: u32 = 100;

#[component]
pub fn DevicePicker(
    devices: Signal<Devices>,
    /// The device in use (or chosen) per kind.
    in_use: Signal<BTreeMap<DeviceKind, String>>,
    /// No camera list in audio-only mode.
    audio_only: Signal<bool>,
    #[prop(into)] on_choose: Callback<(DeviceKind, String)>,
) -> impl IntoView {
    let locale = use_locale();
    let speaker_choice = can_choose_speaker();
    let list = move |kind: DeviceKind| {
        let label = move || match kind {
            DeviceKind::Camera => td_string!(locale.get(), choose_camera),
            DeviceKind::Microphone => td_string!(locale.get(), choose_microphone),
            DeviceKind::Speaker => td_string!(locale.get(), choose_speaker),
        };
        move || {
            let options = devices.with(|devices| {
                let chosen = in_use.with(|in_use| in_use.get(&kind).cloned());
                devices
                    .of(kind)
                    .map(|device| {
                        let name = match devices.name_of(device) {
                            DeviceName::Label(label) => label,
                            DeviceName::Numbered(n) => {
                                format!("{} {n}", kind_name(locale.get(), kind))
                            }
                        };
                        let selected = chosen.as_deref() == Some(device.id.as_str());
                        view! { <option value=device.id.clone() selected=selected>{name}</option> }
                    })
                    .collect::<Vec<_>>()
            });
            (!options.is_empty()).then(|| {
                view! {
                    <label class="device">
                        {label}
                        <select on:change=move |event| on_choose.run((kind, event_target_value(&event)))>
                            {options}
                        </select>
                    </label>
                }
            })
        }
    };
    view! {
        <div class="device-picker">
            <Show when=move || !audio_only.get()>{list(DeviceKind::Camera)}</Show>
            {list(DeviceKind::Microphone)}
            {if speaker_choice {
                list(DeviceKind::Speaker).into_any()
            } else {
                view! { <p class="hint">{move || td_string!(locale.get(), speaker_default_only)}</p> }.into_any()
            }}
        </div>
    }
}

fn kind_name(locale: Locale, kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Camera => td_string!(locale, camera),
        DeviceKind::Microphone => td_string!(locale, microphone),
        DeviceKind::Speaker => td_string!(locale, speaker),
    }
}

/// The live level of `track`, and a warning while the microphone is muted below the browser.
#[component]
pub fn MicrophoneMeter(track: SendWrapper<MediaStreamTrack>) -> impl IntoView {
    let locale = use_locale();
    let reading = RwSignal::new(Reading {
        level: 0.0,
        silenced: false,
    });
    let sampler = MicrophoneLevel::new(&track).ok().map(|mut meter| {
        Interval::new(METER_MILLIS, move || {
            let _ = reading.try_set(meter.read());
        })
    });
    // Dropped (the interval cancelled, the audio context closed) with the component.
    let _sampler = StoredValue::new_local(sampler);
    view! {
        <label class="level">
            <span class="hint">{move || td_string!(locale.get(), microphone_level)}</span>
            <meter aria-label=move || td_string!(locale.get(), microphone_level) min="0" max="1"
                value=move || format!("{:.2}", reading.get().level)></meter>
        </label>
        <Show when=move || reading.get().silenced>
            <p class="warning" role="status">{move || td_string!(locale.get(), microphone_silenced)}</p>
        </Show>
    }
}
