//! The signalling wire protocol shared by the browser app and `signal-server`.
//!
//! One WebSocket per participant carries JSON text frames, each one [`ClientMessage`] or
//! [`ServerMessage`], tagged by `"type"`. The server routes by [`PeerId`] inside an opaque [`RoomId`]
//! and never looks inside a [`ClientMessage::Signal`] payload: that is a sealed envelope which only
//! browsers holding the passphrase can open. Within a room it seats members by their
//! [`AdmissionToken`], which it only compares for equality. The socket's URL, `/ws/<room id>`,
//! names the room as well, so that a load balancer may send a meeting's members to one server.
//!
//! This crate depends on `serde` alone, so the wasm app can use it without pulling in tokio or axum.

use serde::{Deserialize, Serialize};

/// The protocol version a client names in [`ClientMessage::Join`]. Bump it on any incompatible change.
///
/// - 1: the first version.
/// - 2: `join` carries an [`AdmissionToken`]; close codes 4007 and 4008 (later, without a bump:
///   4009, which older clients show as an unknown refusal).
pub const PROTOCOL_VERSION: u32 = 2;

/// Length in hex digits of a [`RoomId`] (a SHA-256 output).
pub const ROOM_ID_HEX_LEN: usize = 64;

/// Length in hex digits of an [`AdmissionToken`] (32 bytes).
pub const ADMISSION_TOKEN_HEX_LEN: usize = 64;

/// Whether `text` is exactly `len` lowercase hex digits.
fn is_lowercase_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The opaque room identifier the server sees: lowercase hex of a one-way hash of the room name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoomId(String);

impl RoomId {
    /// Accepts exactly [`ROOM_ID_HEX_LEN`] lowercase hex digits.
    pub fn parse(hex: &str) -> Result<Self, InvalidRoomId> {
        if is_lowercase_hex(hex, ROOM_ID_HEX_LEN) {
            Ok(Self(hex.to_owned()))
        } else {
            Err(InvalidRoomId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RoomId {
    type Error = InvalidRoomId;
    fn try_from(hex: String) -> Result<Self, Self::Error> {
        Self::parse(&hex)
    }
}

impl From<RoomId> for String {
    fn from(id: RoomId) -> Self {
        id.0
    }
}

/// A room id that is not 64 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidRoomId;

impl std::fmt::Display for InvalidRoomId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a room id is {ROOM_ID_HEX_LEN} lowercase hex digits")
    }
}

impl std::error::Error for InvalidRoomId {}

/// Which seats of a room a member may take: 32 bytes the browser derives with HKDF from the root
/// secret of the passphrase and the room (the Argon2id output, never the passphrase itself), as
/// [`ADMISSION_TOKEN_HEX_LEN`] lowercase hex digits.
///
/// Everyone holding the passphrase derives the same token, anyone without it a different one. The
/// server only compares tokens for equality: members with equal tokens share one group of seats,
/// so that someone with the link alone can never take a seat of the group holding the passphrase.
/// A token tells the server nothing about the passphrase that the relayed hellos do not already:
/// testing a guess against either costs a full run of the passphrase KDF (which is why the token
/// must come from the KDF's output). Its `Debug` output is redacted, so that it does not end up in
/// a log by accident.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdmissionToken(String);

impl AdmissionToken {
    /// Accepts exactly [`ADMISSION_TOKEN_HEX_LEN`] lowercase hex digits.
    pub fn parse(hex: &str) -> Result<Self, InvalidAdmissionToken> {
        if is_lowercase_hex(hex, ADMISSION_TOKEN_HEX_LEN) {
            Ok(Self(hex.to_owned()))
        } else {
            Err(InvalidAdmissionToken)
        }
    }

    /// The token for these 32 bytes (lowercase hex).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let hex = bytes
            .iter()
            .flat_map(|byte| [byte >> 4, byte & 0x0f])
            .map(|nibble| char::from(DIGITS[usize::from(nibble)]))
            .collect();
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AdmissionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdmissionToken(..)")
    }
}

impl TryFrom<String> for AdmissionToken {
    type Error = InvalidAdmissionToken;
    fn try_from(hex: String) -> Result<Self, Self::Error> {
        Self::parse(&hex)
    }
}

impl From<AdmissionToken> for String {
    fn from(token: AdmissionToken) -> Self {
        token.0
    }
}

/// An admission token that is not 64 lowercase hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidAdmissionToken;

impl std::fmt::Display for InvalidAdmissionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "an admission token is {ADMISSION_TOKEN_HEX_LEN} lowercase hex digits"
        )
    }
}

impl std::error::Error for InvalidAdmissionToken {}

/// A participant's routing id within one room, assigned by the server. Below 2^53, so that it
/// survives a round trip through a JavaScript number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerId(pub u64);

impl std::fmt::Display for PeerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a browser sends to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Enter a room. Must be the first message, and is allowed once per connection. `admission`
    /// names the group of seats to take (see [`AdmissionToken`]). A `join` of this version with an
    /// invalid `room` or `admission`, or with another `room` than the socket's URL names
    /// (`/ws/<room>`), closes the connection with [`CloseCode::ProtocolViolation`].
    Join {
        version: u32,
        room: RoomId,
        admission: AdmissionToken,
    },
    /// Relay `payload` to one peer in the same room. The server does not parse the payload.
    Signal { to: PeerId, payload: String },
    /// Application-level keep-alive; answered with [`ServerMessage::Pong`].
    Ping,
}

/// What the server sends to a browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The answer to [`ClientMessage::Join`]: your id, the ids already present (oldest first), the
    /// ICE servers the operator configured (empty by default: host candidates only), and whether
    /// media must go through those relays only (so peers never learn each other's IP address).
    Welcome {
        version: u32,
        peer_id: PeerId,
        peers: Vec<PeerId>,
        ice_servers: Vec<IceServer>,
        #[serde(default)]
        relay_only: bool,
    },
    /// Someone joined the room after you.
    PeerJoined { peer_id: PeerId },
    /// Someone left the room (`lost: false`: they closed the connection, as leaving or closing
    /// the tab does), or the server lost their connection (`lost: true`: a network change, a
    /// stalled client), in which case they may come back under a new id while the call between
    /// the browsers goes on. Absent in older servers' messages: then `false`.
    PeerLeft {
        peer_id: PeerId,
        #[serde(default)]
        lost: bool,
    },
    /// A payload relayed from `from`, exactly as it was sent.
    Signal { from: PeerId, payload: String },
    /// The answer to [`ClientMessage::Ping`].
    Pong,
    /// A request was refused; the connection stays open.
    Error { code: ErrorCode, message: String },
}

/// An ICE server entry, in the shape of the browser's `RTCIceServer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Why a request was refused without closing the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not valid JSON or not a known message.
    Malformed,
    /// A second `join` on one connection.
    AlreadyJoined,
    /// `signal` before `join`.
    NotJoined,
    /// `signal` to a peer id that is not in your room (it may just have left).
    UnknownPeer,
}

/// WebSocket close codes the server uses, each with the reason text sent along with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// 1001: the server is shutting down.
    GoingAway,
    /// 1003: a binary frame; the protocol is JSON text only.
    BinaryFrame,
    /// 1009: a frame larger than the configured message size.
    MessageTooLarge,
    /// 4000: the client speaks a protocol version the server does not.
    UnsupportedVersion,
    /// 4001: the room already has the configured number of participants with this admission
    /// token (the same passphrase).
    RoomFull,
    /// 4002: the server already holds the configured number of rooms.
    TooManyRooms,
    /// 4003: this IP address, its network, or the server as a whole already has the configured
    /// number of connections.
    TooManyConnections,
    /// 4004: nothing was received for the configured idle time.
    IdleTimeout,
    /// 4005: the client did not read its messages fast enough; its send queue (or the server's
    /// budget for all send queues) filled up.
    SlowConsumer,
    /// 4006: no join within the join timeout, an invalid join, or too many refused messages.
    ProtocolViolation,
    /// 4007: this IP address or its network joined too often in the last minute.
    TooManyJoins,
    /// 4008: the room already holds the configured number of groups with different admission
    /// tokens (different passphrases); this one would be another.
    RoomBusy,
    /// 4009: the client sent more messages than the per-connection rate allows (a flood); the
    /// flooder is closed, not the peers it floods.
    TooManyMessages,
}

impl CloseCode {
    pub const ALL: [CloseCode; 13] = [
        Self::GoingAway,
        Self::BinaryFrame,
        Self::MessageTooLarge,
        Self::UnsupportedVersion,
        Self::RoomFull,
        Self::TooManyRooms,
        Self::TooManyConnections,
        Self::IdleTimeout,
        Self::SlowConsumer,
        Self::ProtocolViolation,
        Self::TooManyJoins,
        Self::RoomBusy,
        Self::TooManyMessages,
    ];

    pub fn code(self) -> u16 {
        match self {
            Self::GoingAway => 1001,
            Self::BinaryFrame => 1003,
            Self::MessageTooLarge => 1009,
            Self::UnsupportedVersion => 4000,
            Self::RoomFull => 4001,
            Self::TooManyRooms => 4002,
            Self::TooManyConnections => 4003,
            Self::IdleTimeout => 4004,
            Self::SlowConsumer => 4005,
            Self::ProtocolViolation => 4006,
            Self::TooManyJoins => 4007,
            Self::RoomBusy => 4008,
            Self::TooManyMessages => 4009,
        }
    }

    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The reason sent in the close frame (English; the app shows its own translation by code).
    pub fn reason(self) -> &'static str {
        match self {
            Self::GoingAway => "server is shutting down",
            Self::BinaryFrame => "binary frames are not supported",
            Self::MessageTooLarge => "message too large",
            Self::UnsupportedVersion => "unsupported protocol version",
            Self::RoomFull => "room is full",
            Self::TooManyRooms => "server has too many rooms",
            Self::TooManyConnections => "too many connections",
            Self::IdleTimeout => "idle timeout",
            Self::SlowConsumer => "client too slow to receive",
            Self::ProtocolViolation => "protocol violation",
            Self::TooManyJoins => "too many joins, try again later",
            Self::RoomBusy => "room is busy, try again later",
            Self::TooManyMessages => "too many messages",
        }
    }

    /// Whether the client should try again, with backoff: the refusal depends on load, time or
    /// others and may be gone soon. False for final refusals, where trying again gets the same
    /// answer (the room is full for this passphrase, or the client itself is at fault).
    pub fn is_retryable(self) -> bool {
        match self {
            Self::GoingAway
            | Self::TooManyRooms
            | Self::TooManyConnections
            | Self::IdleTimeout
            | Self::SlowConsumer
            | Self::TooManyJoins
            | Self::RoomBusy => true,
            Self::BinaryFrame
            | Self::MessageTooLarge
            | Self::UnsupportedVersion
            | Self::RoomFull
            | Self::ProtocolViolation
            | Self::TooManyMessages => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> AdmissionToken {
        AdmissionToken::parse(&"cd".repeat(32)).expect("valid token")
    }

    #[test]
    fn join_round_trips_through_json() {
        let room = RoomId::parse(&"ab".repeat(32)).expect("valid room id");
        let join = ClientMessage::Join {
            version: PROTOCOL_VERSION,
            room,
            admission: token(),
        };
        let json = serde_json::to_string(&join).expect("serialises");
        assert_eq!(
            json,
            format!(
                r#"{{"type":"join","version":2,"room":"{}","admission":"{}"}}"#,
                "ab".repeat(32),
                "cd".repeat(32)
            )
        );
        assert_eq!(
            serde_json::from_str::<ClientMessage>(&json).expect("parses"),
            join
        );
    }

    #[test]
    fn room_id_rejects_anything_but_64_lowercase_hex_digits() {
        for bad in [
            "",
            "ab",
            &"AB".repeat(32),
            &"zz".repeat(32),
            &"a".repeat(65),
        ] {
            assert_eq!(RoomId::parse(bad), Err(InvalidRoomId), "accepted {bad:?}");
        }
        let json = format!(
            r#"{{"type":"join","version":2,"room":"{}","admission":"{}"}}"#,
            "g".repeat(64),
            "cd".repeat(32)
        );
        assert!(serde_json::from_str::<ClientMessage>(&json).is_err());
    }

    #[test]
    fn admission_token_rejects_anything_but_64_lowercase_hex_digits() {
        for bad in [
            "",
            "ab",
            &"AB".repeat(32),
            &"zz".repeat(32),
            &"a".repeat(63),
            &"a".repeat(65),
            &format!(" {}", "a".repeat(63)),
        ] {
            assert_eq!(
                AdmissionToken::parse(bad),
                Err(InvalidAdmissionToken),
                "accepted {bad:?}"
            );
        }
        let room = "ab".repeat(32);
        for admission in [
            r#""AB""#.to_owned(),
            format!(r#""{}""#, "G".repeat(64)),
            "7".into(),
        ] {
            let json =
                format!(r#"{{"type":"join","version":2,"room":"{room}","admission":{admission}}}"#);
            assert!(
                serde_json::from_str::<ClientMessage>(&json).is_err(),
                "accepted {json}"
            );
        }
        let missing = format!(r#"{{"type":"join","version":2,"room":"{room}"}}"#);
        assert!(serde_json::from_str::<ClientMessage>(&missing).is_err());
    }

    #[test]
    fn admission_token_from_bytes_is_lowercase_hex() {
        let mut bytes = [0u8; 32];
        bytes[0] = 0x0f;
        bytes[1] = 0xa0;
        bytes[31] = 0xff;
        let token = AdmissionToken::from_bytes(&bytes);
        let expected = format!("0fa0{}ff", "00".repeat(29));
        assert_eq!(token.as_str(), expected);
        assert_eq!(AdmissionToken::parse(&expected), Ok(token));
    }

    #[test]
    fn admission_token_debug_output_is_redacted() {
        let debug = format!("{:?}", token());
        assert!(!debug.contains("cd"), "{debug}");
    }

    #[test]
    fn close_codes_are_distinct_and_round_trip() {
        for code in CloseCode::ALL {
            assert_eq!(CloseCode::from_code(code.code()), Some(code));
            assert!(!code.reason().is_empty());
        }
        let mut numbers: Vec<u16> = CloseCode::ALL.iter().map(|c| c.code()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), CloseCode::ALL.len());
        assert_eq!(CloseCode::from_code(4999), None);
    }

    #[test]
    fn new_close_codes_follow_the_existing_ones() {
        assert_eq!(CloseCode::TooManyJoins.code(), 4007);
        assert_eq!(CloseCode::RoomBusy.code(), 4008);
        assert_eq!(CloseCode::from_code(4007), Some(CloseCode::TooManyJoins));
        assert_eq!(CloseCode::from_code(4008), Some(CloseCode::RoomBusy));
    }

    #[test]
    fn only_load_and_time_dependent_refusals_are_retryable() {
        let retryable: Vec<CloseCode> = CloseCode::ALL
            .into_iter()
            .filter(|code| code.is_retryable())
            .collect();
        assert_eq!(
            retryable,
            [
                CloseCode::GoingAway,
                CloseCode::TooManyRooms,
                CloseCode::TooManyConnections,
                CloseCode::IdleTimeout,
                CloseCode::SlowConsumer,
                CloseCode::TooManyJoins,
                CloseCode::RoomBusy,
            ]
        );
    }
}
