//! Whether a participant's microphone, camera and screen share are on, as that participant announces it to
//! each peer (sealed under the pair keys, like everything else): the muted icon and the
//! camera-off tile show it. The room sends ours to every peer once it is verified and again on
//! every change.

use serde::{Deserialize, Serialize};

/// The state of one participant's devices. Both off until announced otherwise, as Stube starts
/// with camera and microphone off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaState {
    pub microphone: bool,
    pub camera: bool,
    /// Sharing its screen (a second video beside the camera's).
    #[serde(default)]
    pub screen: bool,
}
