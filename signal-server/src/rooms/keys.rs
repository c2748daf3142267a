//! The names the registry files rooms and admission groups under: keyed hashes of the room id and
//! the admission token, never the values themselves.
//!
//! One instance alone hashes with a key it makes at start. Instances sharing rooms through NATS
//! hash with the secret they share, so that they agree on the names while the broker, which sees
//! them in subjects and messages, learns neither room ids nor admission tokens (an admission token
//! would let it take seats in a meeting's group).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};
use protocol::{AdmissionToken, RoomId};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Bytes of a name: 128 bits, so that names of different rooms never meet.
const NAME_BYTES: usize = 16;

/// A room's name in the registry and on the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoomKey(#[serde(with = "base64_name")] [u8; NAME_BYTES]);

/// An admission group's name in the registry and on the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GroupKey(#[serde(with = "base64_name")] [u8; NAME_BYTES]);

impl RoomKey {
    /// The name as a NATS subject token (URL-safe base64: no `.`, `*`, `>` or space).
    pub fn subject_token(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

/// The key the names are hashed with.
#[derive(Clone)]
pub struct Keying(Hmac<Sha256>);

impl std::fmt::Debug for Keying {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keying(..)")
    }
}

impl Keying {
    /// A key of this process alone.
    pub fn random() -> Self {
        Self::shared(&rand::rng().random::<[u8; 32]>())
    }

    /// The key every instance holding `secret` derives.
    pub fn shared(secret: &[u8]) -> Self {
        Self(Hmac::new_from_slice(secret).expect("HMAC takes keys of any length"))
    }

    pub fn room(&self, room: &RoomId) -> RoomKey {
        RoomKey(self.name(b"room", room.as_str()))
    }

    pub fn group(&self, admission: &AdmissionToken) -> GroupKey {
        GroupKey(self.name(b"admission", admission.as_str()))
    }

    /// HMAC-SHA-256 over a label and the value, truncated; the label keeps a room id and an
    /// admission token with the same hex apart.
    fn name(&self, label: &[u8], value: &str) -> [u8; NAME_BYTES] {
        let mut mac = self.0.clone();
        mac.update(label);
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut name = [0; NAME_BYTES];
        name.copy_from_slice(&digest[..NAME_BYTES]);
        name
    }
}

/// Names as unpadded URL-safe base64 strings in JSON.
mod base64_name {
    use super::{NAME_BYTES, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    use serde::{Deserialize as _, Deserializer, Serializer, de::Error as _};

    pub fn serialize<S: Serializer>(name: &[u8; NAME_BYTES], to: S) -> Result<S::Ok, S::Error> {
        to.serialize_str(&URL_SAFE_NO_PAD.encode(name))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<[u8; NAME_BYTES], D::Error> {
        let text = <&str>::deserialize(from)?;
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(D::Error::custom)?;
        bytes
            .try_into()
            .map_err(|_| D::Error::custom("a name is 16 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(n: u8) -> RoomId {
        RoomId::parse(&format!("{n:02x}").repeat(32)).expect("valid room id")
    }

    #[test]
    fn instances_sharing_a_secret_agree_and_others_do_not() {
        let a = Keying::shared(b"a secret the instances share");
        let b = Keying::shared(b"a secret the instances share");
        let other = Keying::shared(b"another secret");
        assert_eq!(a.room(&room(1)), b.room(&room(1)));
        assert_ne!(a.room(&room(1)), a.room(&room(2)));
        assert_ne!(a.room(&room(1)), other.room(&room(1)));
        assert_ne!(
            Keying::random().room(&room(1)),
            Keying::random().room(&room(1))
        );
    }

    #[test]
    fn a_room_id_and_an_admission_token_with_the_same_hex_get_different_names() {
        let keying = Keying::random();
        let hex = "ab".repeat(32);
        let room = keying.room(&RoomId::parse(&hex).expect("room"));
        let group = keying.group(&AdmissionToken::parse(&hex).expect("token"));
        assert_ne!(room.0, group.0);
    }

    #[test]
    fn names_round_trip_as_json_and_make_subject_tokens_without_separators() {
        let key = Keying::random().room(&room(7));
        let json = serde_json::to_string(&key).expect("serialises");
        assert_eq!(serde_json::from_str::<RoomKey>(&json).expect("parses"), key);
        assert!(serde_json::from_str::<RoomKey>("\"AAAA\"").is_err());
        let token = key.subject_token();
        assert!(!token.contains(['.', '*', '>', ' ']));
        assert!(!token.contains(&"07".repeat(4)), "not the room id");
    }
}
