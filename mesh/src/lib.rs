//! The meeting's room logic as a sans-IO state machine: the browser glue feeds it [`Input`]s
//! (server messages, opened or unopenable envelopes from peers, peer-connection state changes) and
//! carries out the [`Command`]s it returns. It never touches a socket, a key or the DOM, so it is
//! tested natively.
//!
//! Trust: a peer counts as present once its sealed hello opened (same passphrase) and it echoed
//! the random challenge of our current session (alive now, not a replayed recording).
//!
//! Who offers: peers already in the room make the offer to a newcomer once its hello has opened;
//! the newcomer answers and is the *polite* side of perfect negotiation for later renegotiation.

mod body;
mod room;

pub use body::{Description, IceCandidate, Negotiation, SdpType, SignalBody};
pub use room::{
    Command, ConnectionState, Input, MAX_NAME_CHARS, MAX_PEERS, Notice, Participant,
    ParticipantStatus, Room, RoomStatus,
};
