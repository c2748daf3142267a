//! Property tests (native only: proptest does not run in the browser harness).

use crypto::padding::{pad, padded_len, unpad};
use crypto::{OpenError, PairChannel, StreamOpener, StreamSealer, open_hello, seal_hello};
use proptest::prelude::*;
use protocol::PeerId;

use crate::keys;

/// The ends of the channel between peers `a` and `b` after hellos that differ in `salt`.
fn pair(a: u64, b: u64, salt: u8) -> (PairChannel, PairChannel) {
    let (hello_a, hello_b) = ([1, salt], [2, salt]);
    let room = keys().room_id().clone();
    let ab = PairChannel::new(
        keys().signal(),
        room.clone(),
        PeerId(a),
        PeerId(b),
        &hello_a,
        &hello_b,
    )
    .expect("two hellos");
    let ba = PairChannel::new(
        keys().signal(),
        room,
        PeerId(b),
        PeerId(a),
        &hello_b,
        &hello_a,
    )
    .expect("two hellos");
    (ab, ba)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_pair_message_round_trips(kind in 2u8.., plaintext in prop::collection::vec(any::<u8>(), 0..5000), from in 0u64..1 << 53, to in 0u64..1 << 53) {
        prop_assume!(from != to);
        let (mut sender, mut receiver) = pair(from, to, 0);
        let envelope = sender.seal(kind, &plaintext).expect("seals");
        let opened = receiver.open(&envelope).expect("opens");
        prop_assert_eq!((opened.kind, opened.plaintext), (kind, plaintext));
    }

    #[test]
    fn any_hello_round_trips(hello in prop::collection::vec(any::<u8>(), 0..600), from in 0u64..1 << 53, to in 0u64..1 << 53) {
        prop_assume!(from != to);
        let envelope = seal_hello(keys().signal(), keys().room_id(), PeerId(from), PeerId(to), &hello).expect("seals");
        let opened = open_hello(keys().signal(), keys().room_id(), PeerId(from), PeerId(to), &envelope).expect("opens");
        prop_assert_eq!(opened, hello);
    }

    #[test]
    fn any_tampering_is_rejected(plaintext in prop::collection::vec(any::<u8>(), 0..256), index: prop::sample::Index, mask in 1u8..) {
        let (mut sender, mut receiver) = pair(1, 2, 0);
        let mut envelope = sender.seal(7, &plaintext).expect("seals");
        let i = index.index(envelope.len());
        envelope[i] ^= mask;
        prop_assert_eq!(receiver.open(&envelope), Err(OpenError));
    }

    #[test]
    fn messages_of_one_session_never_open_in_another(salt in 1u8.., plaintext in prop::collection::vec(any::<u8>(), 0..64)) {
        let (mut old, _) = pair(1, 2, 0);
        let (_, mut new) = pair(1, 2, salt);
        let envelope = old.seal(3, &plaintext).expect("seals");
        prop_assert_eq!(new.open(&envelope), Err(OpenError));
    }

    #[test]
    fn arbitrary_bytes_never_open_or_panic(garbage in prop::collection::vec(any::<u8>(), 0..700), from in 1u64..) {
        prop_assert_eq!(open_hello(keys().signal(), keys().room_id(), PeerId(from), PeerId(0), &garbage).map(|_| ()), Err(OpenError));
        prop_assert_eq!(pair(from, 0, 0).1.open(&garbage).map(|_| ()), Err(OpenError));
        let mut opener = StreamOpener::new(keys().chat(), keys().room_id(), crypto::StreamId::from_bytes([3; 16]));
        prop_assert_eq!(opener.open(&garbage).map(|_| ()), Err(OpenError));
        let _ = unpad(&garbage, 0);
    }

    #[test]
    fn pair_channels_accept_only_increasing_sequence_numbers(order in prop::collection::vec(0usize..8, 1..24)) {
        let (mut sender, mut receiver) = pair(1, 2, 0);
        let envelopes: Vec<Vec<u8>> = (0..8u8).map(|i| sender.seal(2, &[i]).expect("seals")).collect();
        let mut highest: Option<usize> = None;
        for i in order {
            let accepted = receiver.open(&envelopes[i]).is_ok();
            prop_assert_eq!(accepted, highest.is_none_or(|h| i > h), "message {} after {:?}", i, highest);
            if accepted {
                highest = Some(i);
            }
        }
    }

    #[test]
    fn padding_round_trips_into_a_bucket(plaintext in prop::collection::vec(any::<u8>(), 0..10_000), minimum in prop::sample::select(vec![0usize, 256, 512])) {
        let padded = pad(&plaintext, minimum);
        let len = padded.len();
        prop_assert!(len > plaintext.len() && len >= minimum);
        prop_assert!([256, 512, 1024, 2048].contains(&len) || len.is_multiple_of(4096), "{} is no bucket", len);
        prop_assert_eq!(len, padded_len(plaintext.len(), minimum));
        prop_assert_eq!(unpad(&padded, minimum), Ok(plaintext.as_slice()));
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
        let strength = crypto::estimate_strength(&text, &[]);
        prop_assert!(strength.bits.is_finite() && strength.bits >= 0.0);
    }

    #[test]
    fn room_names_parse_idempotently(text in "\\PC{0,160}") {
        if let Ok(name) = crypto::RoomName::parse(&text) {
            prop_assert_eq!(crypto::RoomName::parse(name.as_str()), Ok(name));
        }
    }
}
