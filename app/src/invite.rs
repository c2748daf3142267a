//! Invite links: the room name (and, only if the host chose so, the passphrase) live in the URL
//! fragment, which browsers never send to the server. `https://host/#<room>` or
//! `https://host/#<room>&passphrase=<passphrase>`, both percent-encoded.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything but unreserved URL characters is encoded.
const FRAGMENT_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
const PASSPHRASE_PARAM: &str = "&passphrase=";

/// What an invite fragment carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub room: String,
    pub passphrase: Option<String>,
}

/// The fragment (without `#`) for `room`, with the passphrase only when given.
pub fn fragment(room: &str, passphrase: Option<&str>) -> String {
    let mut fragment = utf8_percent_encode(room, FRAGMENT_ENCODE).to_string();
    if let Some(passphrase) = passphrase {
        fragment.push_str(PASSPHRASE_PARAM);
        fragment.extend(utf8_percent_encode(passphrase, FRAGMENT_ENCODE));
    }
    fragment
}

/// Reads a fragment (with or without the leading `#`). `None` when it names no room.
pub fn parse_fragment(fragment: &str) -> Option<Invite> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let (room, passphrase) = match fragment.split_once(PASSPHRASE_PARAM) {
        Some((room, passphrase)) => (room, Some(decode(passphrase)).filter(|p| !p.is_empty())),
        None => (fragment, None),
    };
    let room = decode(room).trim().to_owned();
    (!room.is_empty()).then_some(Invite { room, passphrase })
}

/// What someone pasted into "Join a meeting": a whole link, a `#fragment`, or a bare room name.
pub fn parse_typed(typed: &str) -> Option<Invite> {
    let typed = typed.trim();
    match typed.split_once('#') {
        Some((_, fragment)) => parse_fragment(fragment),
        None if typed.contains("://") => None,
        None => parse_fragment(typed),
    }
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_room_with_a_passphrase_round_trips_through_the_fragment() {
        let room = "kx7q-2mhd raum&ü";
        let passphrase = "Tür&Tor=#zu 100%";
        let fragment = fragment(room, Some(passphrase));
        assert!(
            !fragment.contains(' ') && !fragment.contains('#'),
            "{fragment}"
        );
        assert_eq!(
            parse_fragment(&fragment),
            Some(Invite {
                room: room.to_owned(),
                passphrase: Some(passphrase.to_owned())
            })
        );
    }

    #[test]
    fn a_link_without_a_passphrase_carries_only_the_room() {
        assert_eq!(fragment("abcd-efgh", None), "abcd-efgh");
        assert_eq!(
            parse_fragment("#abcd-efgh"),
            Some(Invite {
                room: "abcd-efgh".to_owned(),
                passphrase: None
            })
        );
    }

    #[test]
    fn typed_links_fragments_and_names_are_understood() {
        let expected = Some(Invite {
            room: "abcd-efgh".to_owned(),
            passphrase: None,
        });
        assert_eq!(
            parse_typed(" https://meet.example.org/#abcd-efgh "),
            expected
        );
        assert_eq!(parse_typed("#abcd-efgh"), expected);
        assert_eq!(parse_typed("abcd-efgh"), expected);
        assert_eq!(parse_typed("https://meet.example.org/"), None);
        assert_eq!(parse_typed("   "), None);
        assert_eq!(parse_fragment("#"), None);
    }
}
