//! What browsers say to each other inside sealed signalling envelopes.

use serde::{Deserialize, Serialize};

/// The plaintext of one sealed signalling message between two browsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum SignalBody {
    /// The first message to each peer: who I am. It opening at all proves the same passphrase.
    Hello { name: String },
    /// An SDP offer or answer.
    Description(Description),
    /// A trickled ICE candidate.
    Candidate(IceCandidate),
}

impl SignalBody {
    /// The message kind bound into the envelope's associated data.
    pub fn kind(&self) -> u8 {
        match self {
            Self::Hello { .. } => 1,
            Self::Description(_) => 2,
            Self::Candidate(_) => 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdpType {
    Offer,
    Answer,
    Rollback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    pub sdp_type: SdpType,
    pub sdp: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceCandidate {
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_m_line_index: Option<u16>,
}
