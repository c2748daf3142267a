//! The session's peer connections: the certificate each hello commits to, opening a connection
//! with it, handing negotiation to the browser and back to the room, following each connection's
//! state (ICE restarts, why it failed), and telling the room which certificate DTLS verified, from
//! which it derives the safety number or closes the connection.

use super::{Event, Task};
use crate::call::caps;
use crate::call::dtls::{self, Certificate};
use crate::call::error::JsError;
use crate::call::peer::{PeerEvent, PeerLink, Role, is_relay_candidate};
use leptos::prelude::*;
use mesh::{Command, ConnectionState, Description, IceOutcome, Input, Negotiation};
use protocol::PeerId;

/// How long a connection may stay `disconnected` (a network change, a lost packet burst) before
/// ICE is restarted; a `failed` one is restarted at once.
const ICE_GRACE_MILLIS: u32 = 2_000;

impl Task {
    /// Generates the certificate for `peer` in a task of its own; the answer comes back as an
    /// event, and the room then sends the hello that commits to it.
    pub(super) fn prepare_certificate(&self, peer: PeerId) {
        let sender = self.sender.clone();
        leptos::task::spawn_local(async move {
            let result = dtls::generate().await;
            let _ = sender.unbounded_send(Event::Certificate { peer, result });
        });
    }

    pub(super) async fn on_certificate(
        &mut self,
        peer: PeerId,
        result: Result<Certificate, JsError>,
    ) {
        // Without a certificate there is no hello, so no connection: the peer stays "present,
        // not verified", which the room shows.
        let Ok(certificate) = result else {
            return;
        };
        let fingerprint = certificate.fingerprint.clone();
        let commands = self
            .room
            .handle(Input::CertificateReady { peer, fingerprint });
        // Keep it only if the room committed to this one (a second request for the same peer
        // id, after it left and came back, may have raced it); before the commands run, as
        // the side that offers opens the connection with it at once.
        let committed = crypto::normalize_fingerprint(&certificate.fingerprint)
            .is_ok_and(|ours| self.room.local_fingerprint(peer) == Some(ours.as_str()));
        if committed {
            self.certificates.insert(peer, certificate);
        }
        self.execute(commands).await;
    }

    /// Opens the connection with the certificate our hello committed to. Returns what the room
    /// says when the browser refuses.
    pub(super) fn open_connection(
        &mut self,
        peer: PeerId,
        offer: bool,
        polite: bool,
    ) -> Vec<Command> {
        let sender = self.sender.clone();
        let notify = move |event| drop(sender.unbounded_send(Event::Peer { peer, event }));
        let (caps, capture_height) = self.caps_with(peer);
        let role = Role {
            offer,
            polite,
            audio_only: self.state.audio_only.get_untracked(),
            camera_encodings: caps::send_encodings(caps, capture_height),
        };
        let link = self.certificates.get(&peer).map(|certificate| {
            PeerLink::open(
                &self.ice,
                &certificate.certificate,
                role,
                &self.local,
                notify,
            )
        });
        match link {
            Some(Ok(link)) => {
                self.links.insert(peer, link);
                Vec::new()
            }
            // The browser refused to create a connection: the tile says it failed.
            _ => self.room.handle(Input::Connection {
                peer,
                state: ConnectionState::Failed,
            }),
        }
    }

    /// Hands a description or candidate to the connection; returns what the room makes of the
    /// answer and of the certificate DTLS now uses.
    pub(super) async fn deliver(&mut self, peer: PeerId, negotiation: Negotiation) -> Vec<Command> {
        let (caps, capture_height) = self.caps_with(peer);
        let Some(link) = self.links.get_mut(&peer) else {
            return Vec::new();
        };
        let reply = match negotiation {
            Negotiation::Description(description) => {
                // A negotiation may reset the senders' parameters: cap them again after it.
                self.capped.remove(&peer);
                let camera_caps = capture_height.map(|height| (caps, height));
                link.receive_description(&description, &self.local, camera_caps)
                    .await
            }
            Negotiation::Candidate(candidate) => {
                link.receive_candidate(&candidate).await.map(|()| None)
            }
        };
        let mut commands = self.reply(peer, reply);
        commands.extend(self.check_certificate(peer).await);
        commands
    }

    pub(super) async fn on_peer(&mut self, peer: PeerId, event: PeerEvent) {
        match event {
            PeerEvent::NegotiationNeeded => {
                let Some(link) = self.links.get_mut(&peer) else {
                    return;
                };
                self.capped.remove(&peer);
                let offer = link.negotiate().await;
                let commands = self.reply(peer, offer);
                self.execute(commands).await;
            }
            PeerEvent::Candidate(candidate) => {
                if is_relay_candidate(&candidate.candidate) {
                    self.relay_candidates.insert(peer);
                }
                if self.links.contains_key(&peer) {
                    let negotiation = Negotiation::Candidate(candidate);
                    self.handle(Input::Local { peer, negotiation }).await;
                }
            }
            PeerEvent::GatheringDone => {
                if !self.relay_candidates.contains(&peer) {
                    self.diagnose(peer, IceOutcome::GatheredNoRelay);
                }
            }
            PeerEvent::State(state) => {
                match state {
                    ConnectionState::Failed => {
                        self.diagnose(peer, IceOutcome::Failed);
                        self.links
                            .get(&peer)
                            .into_iter()
                            .for_each(PeerLink::recover);
                    }
                    ConnectionState::Connected => {
                        self.problems.remove(&peer);
                    }
                    ConnectionState::Disconnected => {
                        self.add_timer(ICE_GRACE_MILLIS, move |timer| Event::IceGrace {
                            timer,
                            peer,
                        });
                    }
                    _ => {}
                }
                self.handle(Input::Connection { peer, state }).await;
                let commands = self.check_certificate(peer).await;
                self.execute(commands).await;
            }
            PeerEvent::ChatOpen => self.on_chat_open(peer),
            PeerEvent::ChatFrame(sealed) => self.on_chat_frame(peer, &sealed),
            PeerEvent::FileFrame(frame) => self.on_file_frame(peer, &frame).await,
            PeerEvent::FileRoom => self.on_file_room(peer),
            PeerEvent::FilesClosed => self.files_lost(peer),
            // The peer closed its side (it left, or reloaded): the connection is over, even if
            // the server has not said so (it may have lost that peer, or us).
            PeerEvent::ChatClosed => {
                self.chat_not_delivered(peer);
                let state = ConnectionState::Closed;
                self.handle(Input::Connection { peer, state }).await;
            }
            PeerEvent::Track { track, screen } => {
                if let Some(link) = self.links.get(&peer) {
                    link.add_remote_track(&track, screen);
                    self.show_track(peer, screen);
                }
            }
        }
    }

    /// Notes why the connection to `peer` cannot be made, if `outcome` shows a problem; its tile
    /// says so until it connects.
    pub(super) fn diagnose(&mut self, peer: PeerId, outcome: IceOutcome) {
        if !self.links.contains_key(&peer) {
            return;
        }
        if let Some(problem) = mesh::diagnose(self.relay_offer, self.ice.relay_only, outcome) {
            self.problems.insert(peer, problem);
        }
    }

    /// Once connected (and after every renegotiation): tells the room which certificate DTLS
    /// verified for `peer`. The room closes the connection if it is not the committed one, and
    /// otherwise computes the safety number from it. Also notes the connection's route.
    pub(super) async fn check_certificate(&mut self, peer: PeerId) -> Vec<Command> {
        let Some(link) = self.links.get(&peer).filter(|link| link.is_connected()) else {
            return Vec::new();
        };
        let Ok(stats) = link.stats().await else {
            return Vec::new();
        };
        if let Some(route) = stats.route() {
            self.routes.insert(peer, route);
        }
        let fingerprints = dtls::verified_remote_fingerprints(&stats);
        let mut commands = Vec::new();
        for fingerprint in fingerprints {
            commands.extend(
                self.room
                    .handle(Input::RemoteCertificate { peer, fingerprint }),
            );
        }
        commands
    }

    /// Hands a local description that negotiation produced to the room, which seals it for the
    /// peer; a failure is left to ICE's own failure state, which the tile shows.
    pub(super) fn reply(
        &mut self,
        peer: PeerId,
        description: Result<Option<Description>, JsError>,
    ) -> Vec<Command> {
        match description {
            Ok(Some(description)) => self.room.handle(Input::Local {
                peer,
                negotiation: Negotiation::Description(description),
            }),
            _ => Vec::new(),
        }
    }
}
