//! Choices remembered in this browser (localStorage): whether camera and microphone start on,
//! whether calls are audio only, whether to hide the IP address (relayed connections only), and
//! which camera, microphone and speaker to use (by the browser's opaque device id, never by
//! label), and the language chosen with the switch ("en" or "de"). Nothing personal is stored: no
//! name, no passphrase, no room.

use crate::call::MediaKind;
use crate::i18n::{self, Locale};
use leptos_i18n::Locale as _;
use mesh::DeviceKind;

fn key(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Audio => "stube.microphone",
        MediaKind::Video => "stube.camera",
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Whether the user last turned `kind` on before joining. Off unless they did.
pub fn device_wanted(kind: MediaKind) -> bool {
    storage()
        .and_then(|s| s.get_item(key(kind)).ok()?)
        .is_some_and(|value| value == "on")
}

pub fn remember_device(kind: MediaKind, on: bool) {
    remember(key(kind), on);
}

const AUDIO_ONLY: &str = "stube.audio-only";

/// Whether the user last chose audio-only calls. Off unless they did.
pub fn audio_only_wanted() -> bool {
    storage()
        .and_then(|s| s.get_item(AUDIO_ONLY).ok()?)
        .is_some_and(|value| value == "on")
}

pub fn remember_audio_only(on: bool) {
    remember(AUDIO_ONLY, on);
}

const HIDE_IP: &str = "stube.hide-ip";

/// Whether the user last asked to hide their IP address (relayed connections only). Off unless
/// they did.
pub fn hide_ip_wanted() -> bool {
    storage()
        .and_then(|s| s.get_item(HIDE_IP).ok()?)
        .is_some_and(|value| value == "on")
}

pub fn remember_hide_ip(on: bool) {
    remember(HIDE_IP, on);
}

fn remember(key: &str, on: bool) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, if on { "on" } else { "off" });
    }
}

fn device_key(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Camera => "stube.device.camera",
        DeviceKind::Microphone => "stube.device.microphone",
        DeviceKind::Speaker => "stube.device.speaker",
    }
}

/// The device of `kind` the user last chose, by id.
pub fn chosen_device(kind: DeviceKind) -> Option<String> {
    storage()?
        .get_item(device_key(kind))
        .ok()?
        .filter(|id| !id.is_empty())
}

pub fn remember_chosen_device(kind: DeviceKind, id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(device_key(kind), id);
    }
}

const LANGUAGE: &str = "stube.language";

/// The language the user last chose with the switch, if any (the browser's language decides
/// otherwise).
pub fn chosen_language() -> Option<Locale> {
    i18n::by_code(&storage()?.get_item(LANGUAGE).ok()??)
}

pub fn remember_language(locale: Locale) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(LANGUAGE, locale.as_str());
    }
}
