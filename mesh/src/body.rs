//! What browsers say to each other inside sealed signalling envelopes, and how the DTLS
//! fingerprints are read out of SDP.

use crate::media::MediaState;
use crypto::{Commitment, StreamId};
use serde::{Deserialize, Serialize};

/// The plaintext of one sealed signalling message between two browsers (JSON, then padded and
/// sealed by [`crate::Room`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum SignalBody {
    /// The first message to each peer, sealed under the room's signalling key: who I am, a fresh
    /// random challenge for this pair session, and a commitment to the DTLS certificate I will
    /// use toward this peer. It opening at all proves the same passphrase; both hellos key
    /// everything after them ([`crypto::PairChannel`]).
    Hello {
        name: String,
        #[serde(with = "hex_u128")]
        challenge: u128,
        /// The sender's session: random, drawn once per page, the same in every hello it sends.
        /// After the signalling server lost and regained a participant under a new id, a hello
        /// carrying a known session names the connection that may resume ([`Self::Resume`]); it
        /// proves nothing by itself.
        #[serde(with = "hex_u128")]
        session: u128,
        #[serde(with = "hex_commitment")]
        commitment: Commitment,
    },
    /// The answer to a hello, sealed under the pair key: the peer's challenge, echoed. A peer
    /// counts as verified only once its ack opened, so only someone who saw this session's hello
    /// can make anyone appear.
    Ack {
        #[serde(with = "hex_u128")]
        echo: u128,
    },
    /// An SDP offer or answer.
    Description(Description),
    /// A trickled ICE candidate.
    Candidate(IceCandidate),
    /// Whether the sender's microphone and camera are on (after verification and on change).
    Media(MediaState),
    /// Sealed under the pair channel of an earlier, still working connection, sent to the
    /// sender's new id: "the connection we have is mine; route to me here". Echoes the challenge
    /// of the hello it answers, from the recipient's new id. Only the holder of that pair
    /// channel can seal it, so a server that knows the passphrase cannot take a connection over.
    Resume {
        #[serde(with = "hex_u128")]
        echo: u128,
    },
    /// Whether the sender's hand is raised (after verification if it is, and on change).
    Hand { raised: bool },
    /// The id of the sender's chat stream ([`crypto::StreamSealer`]): every chat frame it sends
    /// on a data channel is sealed under that stream, so the receiver opens it with the stream
    /// this message, authenticated under the pair keys, names.
    ChatStream {
        #[serde(with = "hex_stream_id")]
        id: StreamId,
    },
}

/// What the browser glue hands to a peer connection, or hands to the room to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Negotiation {
    Description(Description),
    Candidate(IceCandidate),
}

impl SignalBody {
    /// The message kind bound into the envelope's associated data.
    pub fn kind(&self) -> u8 {
        match self {
            Self::Hello { .. } => crypto::HELLO_KIND,
            Self::Description(_) => 2,
            Self::Candidate(_) => 3,
            Self::Ack { .. } => 4,
            Self::Media(_) => 5,
            Self::Resume { .. } => 6,
            Self::Hand { .. } => 7,
            Self::ChatStream { .. } => 8,
        }
    }
}

impl From<Negotiation> for SignalBody {
    fn from(negotiation: Negotiation) -> Self {
        match negotiation {
            Negotiation::Description(description) => Self::Description(description),
            Negotiation::Candidate(candidate) => Self::Candidate(candidate),
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

impl Description {
    /// The values of every line that looks like a fingerprint attribute (`a=fingerprint...`, in
    /// any case, with leading whitespace, lines split at CR or LF), so that nothing a browser
    /// might read as one escapes the check. A line without the `:` yields an empty value, which
    /// is no fingerprint.
    pub fn fingerprint_lines(&self) -> Vec<&str> {
        const PREFIX: &str = "a=fingerprint";
        self.sdp
            .split(['\r', '\n'])
            .map(str::trim_start)
            .filter(|line| {
                line.get(..PREFIX.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(PREFIX))
            })
            .map(|line| line[PREFIX.len()..].strip_prefix(':').unwrap_or(""))
            .collect()
    }

    /// Whether this description may reach the peer connection, given the peer's `commitment`:
    /// every fingerprint line must name the committed certificate (so they are all the same), and
    /// an offer or answer must have at least one. A rollback carries no SDP and passes if it has
    /// no fingerprint line.
    pub fn fingerprints_match(&self, commitment: &Commitment) -> bool {
        let lines = self.fingerprint_lines();
        if lines.is_empty() {
            return self.sdp_type == SdpType::Rollback;
        }
        lines.iter().all(|line| commitment.opens_to(line))
    }
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
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(D::Error::custom("a challenge is 32 hex digits"));
        }
        u128::from_str_radix(&text, 16).map_err(D::Error::custom)
    }
}

/// Stream ids travel as 32 hex digits.
mod hex_stream_id {
    use crypto::StreamId;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(id: &StreamId, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{:032x}", u128::from_be_bytes(*id.as_bytes())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<StreamId, D::Error> {
        let id = super::hex_u128::deserialize(deserializer)?;
        Ok(StreamId::from_bytes(id.to_be_bytes()))
    }
}

/// Commitments travel as 64 hex digits.
mod hex_commitment {
    use crypto::Commitment;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(value: &Commitment, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.to_hex())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Commitment, D::Error> {
        let text = String::deserialize(deserializer)?;
        Commitment::from_hex(&text).ok_or_else(|| D::Error::custom("a commitment is 64 hex digits"))
    }
}
