//! The meeting's room logic as a sans-IO state machine: the browser glue feeds it [`Input`]s
//! (server messages, opened or unopenable envelopes from peers, peer-connection state changes) and
//! carries out the [`Command`]s it returns. It never touches a socket, a key or the DOM, so it is
//! tested natively.
//!
//! Who offers: peers already in the room make the offer to a newcomer once its hello has opened;
//! the newcomer answers and is the *polite* side of perfect negotiation for later renegotiation.

mod body;
mod room;

pub use body::{Description, IceCandidate, SdpType, SignalBody};
pub use room::{
    Command, ConnectionState, Input, MAX_NAME_CHARS, Notice, Participant, ParticipantStatus, Room,
    RoomStatus,
};
