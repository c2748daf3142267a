//! The browser glue of a call: the signalling socket, local media, one peer connection per
//! participant, and the session task that runs the [`mesh::Room`] state machine between them.

mod caps;
mod chat_channel;
mod dtls;
mod error;
mod handle;
mod media;
mod peer;
mod screen;
mod session;
mod signalling;
mod stats;

pub use handle::Share;
pub use media::{LocalMedia, MediaKind, MediaProblem, request_track};
pub use session::{ChatLine, MeetingState, ServerState, Session, TileView, UiAction};
