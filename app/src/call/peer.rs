//! One RTCPeerConnection to one participant, with perfect negotiation. The connection owns its
//! event listeners (detached on drop) and is closed when dropped; its callbacks only push
//! [`PeerEvent`]s into the session's channel.

use super::chat_channel::ChatChannel;
use super::error::{JsError, resolve};
use super::file_channel::FileChannel;
use super::media::{LocalMedia, MediaKind};
use super::stats::Stats;
use gloo_events::EventListener;
use mesh::{ConnectionState, Description, IceCandidate, SdpType, VideoCaps};
use protocol::IceServer;
use wasm_bindgen::prelude::*;
use web_sys::{
    MediaStream, MediaStreamTrack, RtcCertificate, RtcConfiguration, RtcIceCandidateInit,
    RtcIceServer, RtcIceTransportPolicy, RtcPeerConnection, RtcPeerConnectionIceEvent,
    RtcPeerConnectionState, RtcRtpSender, RtcRtpSynchronizationSource, RtcRtpTransceiver,
    RtcRtpTransceiverDirection, RtcRtpTransceiverInit, RtcSdpType, RtcSessionDescriptionInit,
    RtcSignalingState, RtcTrackEvent,
};

#[wasm_bindgen]
extern "C" {
    /// The same JavaScript object as [`RtcPeerConnection`], for the one binding web-sys lacks.
    #[wasm_bindgen(extends = RtcPeerConnection, js_name = RTCPeerConnection)]
    type PeerConnectionExt;

    /// `setLocalDescription()` without arguments: creates the right offer or answer itself and
    /// makes perfect negotiation's implicit rollback work. web-sys only binds the one-argument form.
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    fn set_local_description_implicit(this: &PeerConnectionExt) -> js_sys::Promise;

    /// `restartIce()`, which web-sys does not bind: the next negotiation gathers new candidates.
    #[wasm_bindgen(method, js_name = restartIce)]
    fn restart_ice(this: &PeerConnectionExt);
}

/// How peer connections may reach each other, from the server's welcome and the user's "Hide my
/// IP address".
#[derive(Debug, Clone, Default)]
pub struct IceConfig {
    pub servers: Vec<IceServer>,
    /// Only through the operator's TURN relays, so peers never see each other's IP address.
    pub relay_only: bool,
}

/// Whether a gathered candidate (an `a=candidate` line's value) is a relay candidate.
pub fn is_relay_candidate(candidate: &str) -> bool {
    candidate
        .split_whitespace()
        .skip_while(|word| *word != "typ")
        .nth(1)
        == Some("relay")
}

/// What a peer connection reports.
pub enum PeerEvent {
    NegotiationNeeded,
    Candidate(IceCandidate),
    /// Candidate gathering ended (until an ICE restart gathers again).
    GatheringDone,
    State(ConnectionState),
    /// A remote track arrived: its camera or microphone, or (`screen`) its shared screen.
    Track {
        track: MediaStreamTrack,
        screen: bool,
    },
    /// The chat channel opened: queued messages can go.
    ChatOpen,
    /// A sealed chat frame arrived.
    ChatFrame(Vec<u8>),
    /// The chat channel closed.
    ChatClosed,
    /// A frame arrived on the file channel (still a JavaScript buffer).
    FileFrame(js_sys::ArrayBuffer),
    /// The file channel's send buffer drained: more chunks may go.
    FileRoom,
    /// The file channel closed.
    FilesClosed,
}

/// How a connection starts: who offers, who is polite in perfect negotiation, whether video is
/// left out (an audio-only call), and the caps the camera starts with.
#[derive(Debug, Clone)]
pub struct Role {
    pub offer: bool,
    pub polite: bool,
    pub audio_only: bool,
    /// On the offering side, the camera transceiver's `sendEncodings` ([`super::caps`]).
    pub camera_encodings: js_sys::Array,
}

/// The connection to one peer.
pub struct PeerLink {
    connection: RtcPeerConnection,
    polite: bool,
    /// Video neither sent nor received (the transceivers are inactive, so nothing is decoded).
    audio_only: bool,
    /// The answering side until the first offer arrived: it makes no offer of its own.
    awaiting_first_offer: bool,
    /// When the newest audio packet seen by [`Self::audio_level`] arrived.
    last_audio_packet: f64,
    ignore_offer: bool,
    remote: MediaStream,
    /// The peer's shared screen, when it shares one.
    remote_screen: MediaStream,
    /// The transceiver that sends our shared screen to this peer, once we shared it.
    screen: Option<RtcRtpTransceiver>,
    /// Whether we share our screen now.
    sharing: bool,
    chat: ChatChannel,
    files: FileChannel,
    _listeners: [EventListener; 4],
}

impl PeerLink {
    /// Gives the open connection the ICE servers of the newest welcome (fresh TURN credentials,
    /// which expire), so that a later ICE restart can still reach the relay.
    pub fn use_ice(&self, ice: &IceConfig) -> Result<(), JsError> {
        let configuration = self.connection.get_configuration();
        set_ice(&configuration, ice);
        self.connection
            .set_configuration_with_configuration(&configuration)?;
        Ok(())
    }

    /// Creates the connection with `certificate` (the one our hello committed to). The offering
    /// side adds an audio and a video transceiver (sending whatever local tracks exist; the video
    /// one inactive in an audio-only call), which starts negotiation; the answering side waits.
    /// `notify` receives the connection's events.
    pub fn open(
        ice: &IceConfig,
        certificate: &RtcCertificate,
        role: Role,
        local: &LocalMedia,
        notify: impl Fn(PeerEvent) + Clone + 'static,
    ) -> Result<Self, JsError> {
        let Role {
            offer,
            polite,
            audio_only,
            camera_encodings,
        } = role;
        let connection =
            RtcPeerConnection::new_with_configuration(&configuration(ice, certificate))?;
        // Before any offer, so that the offer carries the data channel's section.
        let chat = ChatChannel::open(&connection, notify.clone())?;
        let files = FileChannel::open(&connection, notify.clone())?;
        let listeners = listen(&connection, notify);
        let link = Self {
            connection,
            polite,
            audio_only,
            awaiting_first_offer: !offer,
            last_audio_packet: 0.0,
            ignore_offer: false,
            remote: MediaStream::new()?,
            remote_screen: MediaStream::new()?,
            screen: None,
            sharing: false,
            chat,
            files,
            _listeners: listeners,
        };
        if offer {
            for kind in [MediaKind::Audio, MediaKind::Video] {
                let init = RtcRtpTransceiverInit::new();
                init.set_direction(direction(kind, audio_only));
                if kind == MediaKind::Video {
                    init.set_send_encodings(&camera_encodings);
                }
                let transceiver = link
                    .connection
                    .add_transceiver_with_str_and_init(kind.as_str(), &init);
                if let Some(track) = local.track(kind) {
                    // A fresh sender has no track yet; replaceTrack resolves at once.
                    let _ = transceiver.sender().replace_track(Some(track));
                }
            }
        }
        Ok(link)
    }

    async fn set_local_description(&self) -> Result<(), JsError> {
        resolve(
            self.connection
                .unchecked_ref::<PeerConnectionExt>()
                .set_local_description_implicit(),
        )
        .await
        .map(drop)
    }

    /// After the connection failed, or stayed disconnected for a grace period (a network change,
    /// say): the impolite side restarts ICE, which fires `negotiationneeded`; perfect negotiation
    /// carries the new offer. Only one side restarts, so two restarts never collide.
    pub fn recover(&self) {
        if !self.polite {
            self.connection
                .unchecked_ref::<PeerConnectionExt>()
                .restart_ice();
        }
    }

    /// This connection's statistics (the verified certificates, the route).
    pub async fn stats(&self) -> Result<Stats, JsError> {
        Stats::of(&self.connection).await
    }

    /// The chat channel to this peer.
    pub fn files(&self) -> &FileChannel {
        &self.files
    }

    pub fn chat(&self) -> &ChatChannel {
        &self.chat
    }

    /// Switches video off in both directions (audio only) or back on: a direction change, which
    /// renegotiates through perfect negotiation.
    pub fn set_audio_only(&mut self, audio_only: bool) {
        self.audio_only = audio_only;
        for transceiver in self.transceivers(MediaKind::Video) {
            transceiver.set_direction(self.video_direction(&transceiver));
        }
    }

    /// Where a video transceiver should send and receive: the camera's both ways, our screen's
    /// out only while we share, a peer's screen in only; nothing at all in an audio-only call.
    fn video_direction(&self, transceiver: &RtcRtpTransceiver) -> RtcRtpTransceiverDirection {
        if self.audio_only {
            RtcRtpTransceiverDirection::Inactive
        } else if self.camera_transceiver(MediaKind::Video).as_ref() == Some(transceiver) {
            direction(MediaKind::Video, false)
        } else if self.screen.as_ref() == Some(transceiver) {
            if self.sharing {
                RtcRtpTransceiverDirection::Sendonly
            } else {
                RtcRtpTransceiverDirection::Inactive
            }
        } else {
            RtcRtpTransceiverDirection::Recvonly
        }
    }

    /// Sends our shared screen to this peer (a transceiver of its own beside the camera's, so
    /// that the camera going off does not blank the share, nor the reverse), or stops sending
    /// it. The direction change renegotiates through perfect negotiation.
    pub async fn share_screen(&mut self, track: Option<&MediaStreamTrack>) -> Result<(), JsError> {
        self.sharing = track.is_some();
        let transceiver = match (&self.screen, track) {
            (Some(transceiver), _) => transceiver.clone(),
            (None, None) => return Ok(()),
            (None, Some(_)) => {
                let init = RtcRtpTransceiverInit::new();
                init.set_direction(RtcRtpTransceiverDirection::Inactive);
                let transceiver = self
                    .connection
                    .add_transceiver_with_str_and_init("video", &init);
                self.screen = Some(transceiver.clone());
                transceiver
            }
        };
        resolve(transceiver.sender().replace_track(track)).await?;
        transceiver.set_direction(self.video_direction(&transceiver));
        Ok(())
    }

    /// The peer's shared screen (tracks arrive here while it shares).
    pub fn remote_screen(&self) -> &MediaStream {
        &self.remote_screen
    }

    /// The loudest audio level (0 to 1) of the audio received from the peer since the last call,
    /// from the audio receivers' synchronization sources; 0 when no new packet came (a source
    /// keeps reporting its last level for seconds after the peer muted).
    pub fn audio_level(&mut self) -> f64 {
        let sources: Vec<RtcRtpSynchronizationSource> = self
            .transceivers(MediaKind::Audio)
            .iter()
            .flat_map(|transceiver| transceiver.receiver().get_synchronization_sources())
            .map(JsCast::unchecked_into)
            .collect();
        let since = self.last_audio_packet;
        self.last_audio_packet = sources
            .iter()
            .map(RtcRtpSynchronizationSource::get_timestamp)
            .fold(since, f64::max);
        sources
            .iter()
            .filter(|source| source.get_timestamp() > since)
            .filter_map(RtcRtpSynchronizationSource::get_audio_level)
            .fold(0.0, f64::max)
    }

    /// Whether DTLS and ICE are up, so that the verified certificate can be read.
    pub fn is_connected(&self) -> bool {
        self.connection.connection_state() == RtcPeerConnectionState::Connected
    }

    pub fn state(&self) -> ConnectionState {
        connection_state(self.connection.connection_state())
    }

    /// The stream the participant's tile shows: every track received from them.
    pub fn remote_stream(&self) -> &MediaStream {
        &self.remote
    }

    pub fn add_remote_track(&self, track: &MediaStreamTrack, screen: bool) {
        if screen {
            self.remote_screen.add_track(track);
        } else {
            self.remote.add_track(track);
        }
    }

    /// Perfect negotiation: `negotiationneeded` fired, so make an offer.
    pub async fn negotiate(&mut self) -> Result<Option<Description>, JsError> {
        // The answering side waits for the first offer, which already carries everything it
        // needs (its own chat channel fires `negotiationneeded`; an offer of its own would
        // collide with the first one, and rolling it back would close the chat channel).
        if self.awaiting_first_offer {
            return Ok(None);
        }
        self.set_local_description().await?;
        Ok(self.local_description())
    }

    /// Perfect negotiation: a description arrived. Returns the answer to send, if any.
    pub async fn receive_description(
        &mut self,
        description: &Description,
        local: &LocalMedia,
        camera_caps: Option<(VideoCaps, u32)>,
    ) -> Result<Option<Description>, JsError> {
        let is_offer = description.sdp_type == SdpType::Offer;
        if is_offer {
            self.awaiting_first_offer = false;
        }
        let collision = is_offer && self.connection.signaling_state() != RtcSignalingState::Stable;
        self.ignore_offer = !self.polite && collision;
        if self.ignore_offer {
            return Ok(None);
        }
        let init = RtcSessionDescriptionInit::new(sdp_type_to_js(description.sdp_type));
        init.set_sdp(&description.sdp);
        resolve(self.connection.set_remote_description(&init)).await?;
        if !is_offer {
            return Ok(None);
        }
        self.send_on_offered_transceivers(local).await?;
        if let (Some((caps, height)), Some(sender)) = (camera_caps, self.camera_sender()) {
            // Before the answer, so that the first frame keeps to them. Where the sender has no
            // encoding yet, or refuses, they are applied once the negotiation is over.
            let _ = super::caps::apply(&sender, caps, height).await;
        }
        self.set_local_description().await?;
        Ok(self.local_description())
    }

    /// A trickled candidate arrived. Failures are ignored for offers we ignored.
    pub async fn receive_candidate(&self, candidate: &IceCandidate) -> Result<(), JsError> {
        let init = RtcIceCandidateInit::new(&candidate.candidate);
        init.set_sdp_mid(candidate.sdp_mid.as_deref());
        init.set_sdp_m_line_index(candidate.sdp_m_line_index);
        match resolve(
            self.connection
                .add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init)),
        )
        .await
        {
            Err(_) if self.ignore_offer => Ok(()),
            other => other.map(drop),
        }
    }

    /// Sends `track` (or nothing) on the transceiver of `kind`; no renegotiation needed.
    pub async fn send_track(
        &self,
        kind: MediaKind,
        track: Option<&MediaStreamTrack>,
    ) -> Result<(), JsError> {
        if let Some(transceiver) = self.camera_transceiver(kind) {
            resolve(transceiver.sender().replace_track(track)).await?;
        }
        Ok(())
    }

    /// On the answering side: send our tracks on the transceivers the offer created.
    async fn send_on_offered_transceivers(&self, local: &LocalMedia) -> Result<(), JsError> {
        if let Some(microphone) = self.camera_transceiver(MediaKind::Audio) {
            let wanted = direction(MediaKind::Audio, self.audio_only);
            if microphone.direction() != wanted {
                microphone.set_direction(wanted);
            }
        }
        for transceiver in self.transceivers(MediaKind::Video) {
            let wanted = self.video_direction(&transceiver);
            if transceiver.direction() != wanted {
                transceiver.set_direction(wanted);
            }
        }
        for kind in [MediaKind::Audio, MediaKind::Video] {
            let Some(transceiver) = self.camera_transceiver(kind) else {
                continue;
            };
            if let (None, Some(track)) = (transceiver.sender().track(), local.track(kind)) {
                resolve(transceiver.sender().replace_track(Some(track))).await?;
            }
        }
        Ok(())
    }

    /// The first transceiver of `kind`: the microphone's or the camera's (both sides add or
    /// answer those first; later video transceivers carry shared screens).
    fn camera_transceiver(&self, kind: MediaKind) -> Option<RtcRtpTransceiver> {
        self.transceivers(kind).into_iter().next()
    }

    /// Whether no negotiation is under way (which may reset the senders' parameters).
    pub fn is_stable(&self) -> bool {
        self.connection.signaling_state() == RtcSignalingState::Stable
    }

    /// The sender of this connection's camera video (for [`super::caps`]).
    pub fn camera_sender(&self) -> Option<RtcRtpSender> {
        self.camera_transceiver(MediaKind::Video)
            .as_ref()
            .map(RtcRtpTransceiver::sender)
    }

    fn transceivers(&self, kind: MediaKind) -> Vec<RtcRtpTransceiver> {
        self.connection
            .get_transceivers()
            .iter()
            .filter_map(|value| value.dyn_into::<RtcRtpTransceiver>().ok())
            .filter(|transceiver| {
                !transceiver.stopped() && transceiver.receiver().track().kind() == kind.as_str()
            })
            .collect()
    }

    fn local_description(&self) -> Option<Description> {
        let local = self.connection.local_description()?;
        let sdp_type = match local.type_() {
            RtcSdpType::Offer => SdpType::Offer,
            RtcSdpType::Answer => SdpType::Answer,
            _ => return None,
        };
        Some(Description {
            sdp_type,
            sdp: local.sdp(),
        })
    }
}

impl Drop for PeerLink {
    fn drop(&mut self) {
        self.connection.close();
        for track in self
            .remote
            .get_tracks()
            .iter()
            .filter_map(|t| t.dyn_into::<MediaStreamTrack>().ok())
        {
            track.stop();
        }
    }
}

fn configuration(ice: &IceConfig, certificate: &RtcCertificate) -> RtcConfiguration {
    let configuration = RtcConfiguration::new();
    configuration.set_certificates(&js_sys::Array::of1(certificate));
    set_ice(&configuration, ice);
    configuration
}

/// Puts `ice`'s servers and transport policy into `configuration`.
fn set_ice(configuration: &RtcConfiguration, ice: &IceConfig) {
    let servers = js_sys::Array::new();
    for server in &ice.servers {
        let entry = RtcIceServer::new();
        let urls: js_sys::Array = server
            .urls
            .iter()
            .map(|url| JsValue::from_str(url))
            .collect();
        entry.set_urls(&urls);
        if let Some(username) = &server.username {
            entry.set_username(username);
        }
        if let Some(credential) = &server.credential {
            entry.set_credential(credential);
        }
        servers.push(&entry);
    }
    configuration.set_ice_servers(&servers);
    configuration.set_ice_transport_policy(if ice.relay_only {
        RtcIceTransportPolicy::Relay
    } else {
        RtcIceTransportPolicy::All
    });
}

fn listen(
    connection: &RtcPeerConnection,
    send: impl Fn(PeerEvent) + Clone + 'static,
) -> [EventListener; 4] {
    let on_negotiation = send.clone();
    let on_candidate = send.clone();
    let on_track = send.clone();
    let track_source = connection.clone();
    let state_source = connection.clone();
    [
        EventListener::new(connection, "negotiationneeded", move |_| {
            on_negotiation(PeerEvent::NegotiationNeeded)
        }),
        EventListener::new(connection, "icecandidate", move |event| {
            let candidate = event
                .dyn_ref::<RtcPeerConnectionIceEvent>()
                .and_then(RtcPeerConnectionIceEvent::candidate);
            match candidate {
                // The end of gathering is an event without a candidate.
                None => on_candidate(PeerEvent::GatheringDone),
                Some(candidate) if !candidate.candidate().is_empty() => {
                    on_candidate(PeerEvent::Candidate(IceCandidate {
                        candidate: candidate.candidate(),
                        sdp_mid: candidate.sdp_mid(),
                        sdp_m_line_index: candidate.sdp_m_line_index(),
                    }));
                }
                Some(_) => {}
            }
        }),
        EventListener::new(connection, "track", move |event| {
            if let Some(event) = event.dyn_ref::<RtcTrackEvent>() {
                let track = event.track();
                // Every video track but the first video transceiver's is a shared screen.
                let first_video = track_source
                    .get_transceivers()
                    .iter()
                    .filter_map(|value| value.dyn_into::<RtcRtpTransceiver>().ok())
                    .find(|t| t.receiver().track().kind() == "video");
                let screen = track.kind() == "video" && first_video != Some(event.transceiver());
                on_track(PeerEvent::Track { track, screen });
            }
        }),
        EventListener::new(connection, "connectionstatechange", move |_| {
            send(PeerEvent::State(connection_state(
                state_source.connection_state(),
            )));
        }),
    ]
}

fn connection_state(state: RtcPeerConnectionState) -> ConnectionState {
    match state {
        RtcPeerConnectionState::Connecting => ConnectionState::Connecting,
        RtcPeerConnectionState::Connected => ConnectionState::Connected,
        RtcPeerConnectionState::Disconnected => ConnectionState::Disconnected,
        RtcPeerConnectionState::Failed => ConnectionState::Failed,
        RtcPeerConnectionState::Closed => ConnectionState::Closed,
        _ => ConnectionState::New,
    }
}

/// Audio always goes both ways; video too, unless the call is audio only.
fn direction(kind: MediaKind, audio_only: bool) -> RtcRtpTransceiverDirection {
    if kind == MediaKind::Video && audio_only {
        RtcRtpTransceiverDirection::Inactive
    } else {
        RtcRtpTransceiverDirection::Sendrecv
    }
}

fn sdp_type_to_js(sdp_type: SdpType) -> RtcSdpType {
    match sdp_type {
        SdpType::Offer => RtcSdpType::Offer,
        SdpType::Answer => RtcSdpType::Answer,
        SdpType::Rollback => RtcSdpType::Rollback,
    }
}
