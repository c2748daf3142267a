//! Property tests (native only: proptest does not run in the browser harness).

use crypto::{OpenError, SignalChannel, StreamOpener, StreamSealer};
use proptest::prelude::*;
use protocol::PeerId;

use crate::keys;

fn channel(me: u64) -> SignalChannel {
    SignalChannel::new(keys().signal(), keys().room_id().clone(), PeerId(me))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_plaintext_and_kind_round_trip(kind: u8, plaintext in prop::collection::vec(any::<u8>(), 0..2048), from in 0u64..1 << 53, to in 0u64..1 << 53) {
        prop_assume!(from != to);
        let envelope = channel(from).seal(PeerId(to), kind, &plaintext).expect("seals");
        let opened = channel(to).open(PeerId(from), &envelope).expect("opens");
        prop_assert_eq!((opened.kind, opened.plaintext), (kind, plaintext));
    }

    #[test]
    fn any_tampering_is_rejected(plaintext in prop::collection::vec(any::<u8>(), 0..256), index: prop::sample::Index, mask in 1u8..) {
        let mut envelope = channel(1).seal(PeerId(2), 7, &plaintext).expect("seals");
        let i = index.index(envelope.len());
        envelope[i] ^= mask;
        prop_assert_eq!(channel(2).open(PeerId(1), &envelope), Err(OpenError));
    }

    #[test]
    fn arbitrary_bytes_never_open_or_panic(garbage in prop::collection::vec(any::<u8>(), 0..128), from: u64) {
        prop_assert_eq!(channel(0).open(PeerId(from), &garbage).map(|_| ()), Err(OpenError));
        let mut opener = StreamOpener::new(keys().chat(), keys().room_id(), crypto::StreamId::from_bytes([3; 16]));
        prop_assert_eq!(opener.open(&garbage).map(|_| ()), Err(OpenError));
    }

    #[test]
    fn streams_accept_only_increasing_counters(order in prop::collection::vec(0usize..8, 1..24)) {
        let mut sealer = StreamSealer::new(keys().chat(), keys().room_id()).expect("randomness");
        let frames: Vec<Vec<u8>> = (0..8u8).map(|i| sealer.seal(0, &[i]).expect("seals")).collect();
        let mut opener = StreamOpener::new(keys().chat(), keys().room_id(), sealer.stream_id());
        let mut highest: Option<usize> = None;
        for i in order {
            let accepted = opener.open(&frames[i]).is_ok();
            prop_assert_eq!(accepted, highest.is_none_or(|h| i > h), "frame {} after {:?}", i, highest);
            if accepted {
                highest = Some(i);
            }
        }
    }

    #[test]
    fn strength_estimate_never_panics_and_is_finite(text in "\\PC{0,64}") {
        let strength = crypto::estimate_strength(&text);
        prop_assert!(strength.bits.is_finite() && strength.bits >= 0.0);
    }

    #[test]
    fn room_names_parse_idempotently(text in "\\PC{0,160}") {
        if let Ok(name) = crypto::RoomName::parse(&text) {
            prop_assert_eq!(crypto::RoomName::parse(name.as_str()), Ok(name));
        }
    }
}
