//! The browser glue of a call: the signalling socket, local media, one peer connection per
//! participant, and the session task that runs the [`mesh::Room`] state machine between them.

mod caps;
mod chat_channel;
mod data_channel;
mod devices;
mod dtls;
mod error;
mod file_channel;
mod handle;
mod level;
mod media;
mod peer;
mod screen;
mod session;
mod signalling;
mod stats;
mod track_watch;

pub use devices::{
    DeviceWatch, acquire, can_choose_speaker, device_of, list as list_devices, play_on,
};
pub use handle::Share;
pub use level::{MicrophoneLevel, Reading};
pub use media::{LocalMedia, MediaKind, MediaProblem};
pub use session::{
    ChatLine, MeetingState, ServerState, Session, TileView, TransferKey, TransferState,
    TransferView, UiAction,
};
