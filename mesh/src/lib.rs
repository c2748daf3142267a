//! The meeting's room logic as a sans-IO state machine: the browser glue feeds it [`Input`]s
//! (server messages, relayed envelopes, certificates it generated, what DTLS verified,
//! peer-connection state changes) and carries out the [`Command`]s it returns. It never touches a
//! socket or the DOM, so it is tested natively, with the real cryptography.
//!
//! The handshake with each peer (construction version 2, see [`crypto`]):
//! 1. On `welcome` (for everyone present) or `peer_joined`, the room asks the glue for a fresh
//!    DTLS certificate for that peer ([`Command::PrepareCertificate`]).
//! 2. With its fingerprint ([`Input::CertificateReady`]) it sends a hello sealed under the room's
//!    signalling key: our name, a fresh challenge for this pair session, and a commitment to that
//!    certificate.
//! 3. Once it has sent its hello and opened the peer's, it derives the pair keys from both hellos
//!    ([`crypto::PairChannel`]) and sends an ack under them, echoing the peer's challenge.
//! 4. The peer is verified when its ack opens under the pair key and echoes our challenge: same
//!    passphrase, and alive in this very session. Only then is it shown and connected to.
//!
//! Every later message (SDP, candidates) travels under the pair keys. A description whose
//! fingerprint lines do not all name the committed certificate, or a connection whose verified
//! remote certificate is another ([`Input::RemoteCertificate`]), is closed with
//! [`Notice::Untrustworthy`]. A second hello from one peer id, and a hello carrying a challenge
//! seen before (our own reflected, or an old one replayed), are dropped; `peer_left` forgets
//! everything about an id, so a reused id inherits nothing.
//!
//! Who offers: peers already in the room make the offer to a newcomer once it is verified; the
//! newcomer answers and is the *polite* side of perfect negotiation for later renegotiation.

mod body;
mod caps;
mod chat;
mod devices;
mod files;
mod hands;
mod initials;
mod level;
mod media;
mod reconnect;
mod relay;
mod room;
mod route;
mod speaking;
mod verification;

pub use body::{Description, IceCandidate, Negotiation, SdpType, SignalBody};
pub use caps::{VideoCaps, video_caps};
pub use chat::{
    Author, Chat, ChatEntry, ChatError, ChatEvent, ChatWire, MAX_CHAT_CHARS, MAX_CHAT_MESSAGES,
    encode as encode_chat,
};
pub use devices::{Device, DeviceKind, DeviceName, Devices, MAX_DEVICES_PER_KIND};
pub use files::{
    CHUNK_BYTES, FRAME_HEAD_BYTES, FileError, FileOffer, Incoming, MAX_FILE_BYTES, MAX_INCOMING,
    OpenJob, Outgoing, Progress, Received, SealJob, clean_name, transfer_of,
};
pub use initials::initials;
pub use level::{LevelMeter, SILENCE_MILLIS};
pub use media::MediaState;
pub use reconnect::{AfterClose, RECONNECT_DELAYS_MILLIS, Reconnect};
pub use relay::{
    ConnectionProblem, HideIpChoice, HideIpNote, IceOutcome, RelayOffer, diagnose,
    hidden_without_relay, hide_ip_choice,
};
pub use room::{
    ChallengeSource, Command, ConnectionState, Input, MAX_NAME_CHARS, MAX_PEERS,
    MAX_REMEMBERED_CHALLENGES, Notice, Participant, ParticipantStatus, Room, RoomStatus,
};
pub use route::Route;
pub use speaking::{HOLD_MILLIS, SPEAKING_LEVEL, Speaking, Spotlight, spotlight_applies};
pub use verification::{MAX_MARKS, Verification};
