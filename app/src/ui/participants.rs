//! The participants list: each person's name, raised hand, microphone, camera, connection state and
//! safety number, with "Mark as verified" once the number was compared, and the "Verified"
//! badge after, and "Send file to …" for a file to that person alone.

use super::files::SendFileButton;
use super::language::use_locale;
use super::tile::{CameraOffBadge, HandBadge, MutedBadge, VerifiedBadge, status_text};
use crate::call::{TileView, UiAction};
use crate::i18n::person;
use leptos::prelude::*;
use leptos_i18n::td_string;
use mesh::{ParticipantStatus, Verification};
use protocol::PeerId;

#[component]
pub fn ParticipantItem(
    peer: PeerId,
    view: Signal<TileView>,
    #[prop(into)] act: Callback<UiAction>,
) -> impl IntoView {
    let locale = use_locale();
    let name = move || view.with(|view| person(locale.get(), &view.name));
    let status = move || view.with(|view| view.status);
    let media = move || view.with(|view| view.media);
    let safety_number = move || view.with(|view| view.safety_number.clone());
    let verification = move || view.with(|view| view.verification);
    view! {
        <li class="participant" data-peer=peer.0.to_string()>
            <span class="name">{name}</span>
            <VerifiedBadge verified=Signal::derive(move || verification() == Verification::Verified)/>
            <HandBadge position=Signal::derive(move || view.with(|view| view.hand))/>
            <MutedBadge muted=Signal::derive(move || !media().microphone)/>
            <CameraOffBadge off=Signal::derive(move || !media().camera)/>
            <span class="state">{move || status_text(locale.get(), status())}</span>
            <Show when=move || status() == ParticipantStatus::Connected>
                <SendFileButton act to=peer label=Signal::derive(move || format!("{} {}", td_string!(locale.get(), send_file_to), name()))/>
            </Show>
            {move || safety_number().map(|number| view! {
                <span class="safety-number">{move || td_string!(locale.get(), safety_number)}": "{number}</span>
                <Show when=move || verification() != Verification::Verified>
                    <button class="mark-verified" title=move || td_string!(locale.get(), safety_number_hint)
                        on:click=move |_| act.run(UiAction::MarkVerified(peer))>
                        {move || td_string!(locale.get(), mark_verified)}
                    </button>
                </Show>
            })}
        </li>
    }
}
