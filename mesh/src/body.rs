//! What browsers say to each other inside sealed signalling envelopes.

use serde::{Deserialize, Serialize};

/// The plaintext of one sealed signalling message between two browsers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum SignalBody {
    /// The first message to each peer: who I am, and a fresh random challenge for this session.
    /// It opening at all proves the same passphrase.
    Hello {
        name: String,
        #[serde(with = "hex_u128")]
        challenge: u128,
    },
    /// The answer to a hello: its challenge, echoed. A peer counts as present only once it has
    /// echoed this session's challenge, so a hello the server recorded earlier and replays now
    /// cannot make anyone appear.
    Ack {
        #[serde(with = "hex_u128")]
        echo: u128,
    },
    /// An SDP offer or answer.
    Description(Description),
    /// A trickled ICE candidate.
    Candidate(IceCandidate),
}

/// What the browser glue hands to a peer connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negotiation {
    Description(Description),
    Candidate(IceCandidate),
}

impl SignalBody {
    /// The message kind bound into the envelope's associated data.
    pub fn kind(&self) -> u8 {
        match self {
            Self::Hello { .. } => 1,
            Self::Description(_) => 2,
            Self::Candidate(_) => 3,
            Self::Ack { .. } => 4,
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

/// Challenges travel as 32 hex digits: an internally tagged enum cannot carry a JSON `u128`.
mod hex_u128 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{value:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.len() != 32 {
            return Err(D::Error::custom("a challenge is 32 hex digits"));
        }
        u128::from_str_radix(&text, 16).map_err(D::Error::custom)
    }
}
