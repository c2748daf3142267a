//! Video tiles: the local self-view (mirrored, muted) and one per remote participant, with its
//! name and connection state.

use crate::call::TileView;
use crate::i18n::Texts;
use leptos::html::Video;
use leptos::prelude::*;
use mesh::ParticipantStatus;
use protocol::PeerId;
use send_wrapper::SendWrapper;
use web_sys::MediaStream;

#[component]
pub fn LocalTile(
    label: String,
    stream: RwSignal<Option<SendWrapper<MediaStream>>>,
    camera: RwSignal<bool>,
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
            <figcaption>{label}</figcaption>
        </figure>
    }
}

#[component]
pub fn RemoteTile(peer: PeerId, tiles: RwSignal<Vec<TileView>>) -> impl IntoView {
    let texts = expect_context::<&'static Texts>();
    let video = NodeRef::<Video>::new();
    let find = move || tiles.with(|tiles| tiles.iter().find(|tile| tile.peer == peer).cloned());
    // Only a new track re-attaches the stream: setting srcObject restarts playback.
    let tracks = Memo::new(move |_| find().map(|tile| tile.tracks));
    Effect::new(move |_| {
        tracks.track();
        let (Some(element), Some(tile)) = (video.get(), untrack(find)) else {
            return;
        };
        element.set_src_object(Some(&tile.stream));
    });
    let safety_number = move || find().and_then(|tile| tile.safety_number);
    let status = move || find().map_or(ParticipantStatus::Connecting, |tile| tile.status);
    let name = move || find().map(|tile| tile.name).unwrap_or_default();
    view! {
        <figure class="tile remote" data-peer=peer.0.to_string() data-status=move || status_key(status())>
            <video node_ref=video autoplay playsinline></video>
            <figcaption>
                <span class="name">{name}</span>
                <span class="state">{move || status_text(texts, status())}</span>
                {move || safety_number().map(|number| view! {
                    <span class="safety-number" title=texts.safety_number_hint>
                        {texts.safety_number}": "<span data-testid="safety-number">{number}</span>
                    </span>
                })}
            </figcaption>
        </figure>
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

fn status_text(texts: &'static Texts, status: ParticipantStatus) -> &'static str {
    match status {
        ParticipantStatus::Connecting => texts.status_connecting,
        ParticipantStatus::Connected => texts.status_connected,
        ParticipantStatus::Reconnecting => texts.status_reconnecting,
        ParticipantStatus::Failed => texts.status_failed,
    }
}
