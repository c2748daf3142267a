//! Per-pair channels: keys bound to both hellos, one per direction, with replay state of their own.

use crypto::pair::PAIR_PADDED_MIN;
use crypto::seal::SIGNAL_OVERHEAD;
use crypto::{HELLO_KIND, OpenError, PairChannel, PairError, RoomName, SealError, room_id};
use protocol::PeerId;

use crate::{keys, other_keys};

const ALICE: PeerId = PeerId(1);
const BOB: PeerId = PeerId(2);
const CAROL: PeerId = PeerId(3);

fn hello(who: &str, session: u32) -> Vec<u8> {
    format!(r#"{{"t":"hello","name":"{who}","challenge":"{session:032x}"}}"#).into_bytes()
}

/// Alice's and Bob's ends of the channel between them after the hellos of `session`.
fn channels(session: u32) -> (PairChannel, PairChannel) {
    let (a, b) = (hello("Ada", session), hello("Bob", session + 1000));
    let room = keys().room_id().clone();
    let alice = PairChannel::new(keys().signal(), room.clone(), ALICE, BOB, &a, &b)
        .expect("two different hellos");
    let bob =
        PairChannel::new(keys().signal(), room, BOB, ALICE, &b, &a).expect("two different hellos");
    (alice, bob)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn pair_messages_open_in_both_directions_numbered_from_one() {
    let (mut alice, mut bob) = channels(1);
    let seq = |envelope: &[u8]| u64::from_be_bytes(envelope[2..10].try_into().expect("8 bytes"));
    for round in 1..=3u64 {
        let to_bob = alice.seal(4, b"to bob").expect("seals");
        let to_alice = bob.seal(2, b"to alice").expect("seals");
        assert_eq!((seq(&to_bob), seq(&to_alice)), (round, round));
        let opened = bob.open(&to_bob).expect("opens");
        assert_eq!(
            (opened.kind, opened.plaintext.as_slice()),
            (4, &b"to bob"[..])
        );
        let opened = alice.open(&to_alice).expect("opens");
        assert_eq!(
            (opened.kind, opened.plaintext.as_slice()),
            (2, &b"to alice"[..])
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_message_never_opens_in_the_other_direction() {
    let (mut alice, mut bob) = channels(2);
    let to_bob = alice.seal(2, b"offer").expect("seals");
    // Reflected back to its sender.
    assert_eq!(alice.open(&to_bob), Err(OpenError));
    // Bob's channel as if Alice were Bob: the keys of the two directions differ.
    let (a, b) = (hello("Ada", 2), hello("Bob", 1002));
    let mut mirrored = PairChannel::new(
        keys().signal(),
        keys().room_id().clone(),
        ALICE,
        BOB,
        &b,
        &a,
    )
    .expect("two hellos");
    assert_eq!(mirrored.open(&to_bob), Err(OpenError));
    assert!(bob.open(&to_bob).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn nothing_from_another_session_or_pair_opens() {
    let (mut old_alice, _) = channels(3);
    let old: Vec<Vec<u8>> = (0..5)
        .map(|_| old_alice.seal(2, b"old session").expect("seals"))
        .collect();
    // A new session of the same two peers (ids reused): new hellos, new keys.
    let (_, mut new_bob) = channels(4);
    for envelope in &old {
        assert_eq!(new_bob.open(envelope), Err(OpenError));
    }
    // A new session where only Bob's hello is fresh (the server replays Alice's old one).
    let (a, b) = (hello("Ada", 3), hello("Bob", 9999));
    let mut half_new = PairChannel::new(
        keys().signal(),
        keys().room_id().clone(),
        BOB,
        ALICE,
        &b,
        &a,
    )
    .expect("two hellos");
    for envelope in &old {
        assert_eq!(half_new.open(envelope), Err(OpenError));
    }
    // Another pair (Carol) with the same hellos.
    let mut carol = PairChannel::new(
        keys().signal(),
        keys().room_id().clone(),
        CAROL,
        ALICE,
        &hello("Bob", 1003),
        &hello("Ada", 3),
    )
    .expect("two hellos");
    assert_eq!(carol.open(&old[0]), Err(OpenError));
    // And none of it blocked the genuine new session.
    let (mut new_alice, mut new_bob) = channels(4);
    assert!(
        new_bob
            .open(&new_alice.seal(2, b"new").expect("seals"))
            .is_ok()
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn another_passphrase_or_room_gives_other_pair_keys() {
    let (mut alice, _) = channels(5);
    let envelope = alice.seal(2, b"offer").expect("seals");
    let (a, b) = (hello("Ada", 5), hello("Bob", 1005));
    let mut wrong_passphrase = PairChannel::new(
        other_keys().signal(),
        keys().room_id().clone(),
        BOB,
        ALICE,
        &b,
        &a,
    )
    .expect("two hellos");
    assert_eq!(wrong_passphrase.open(&envelope), Err(OpenError));
    let elsewhere = room_id(&RoomName::parse("another room").expect("valid"));
    let mut wrong_room =
        PairChannel::new(keys().signal(), elsewhere, BOB, ALICE, &b, &a).expect("two hellos");
    assert_eq!(wrong_room.open(&envelope), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn replayed_and_reordered_pair_messages_are_rejected_and_forgeries_change_nothing() {
    let (mut alice, mut bob) = channels(6);
    let first = alice.seal(3, b"first").expect("seals");
    let second = alice.seal(3, b"second").expect("seals");
    let third = alice.seal(3, b"third").expect("seals");
    // A forgery claiming a huge sequence number must not block the genuine messages.
    let mut forged = first.clone();
    forged[2..10].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(bob.open(&forged), Err(OpenError));
    assert!(bob.open(&second).is_ok(), "gaps are fine");
    assert_eq!(bob.open(&second), Err(OpenError), "replay");
    assert_eq!(bob.open(&first), Err(OpenError), "reordered");
    assert!(bob.open(&third).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_flipped_byte_of_a_pair_message_is_rejected() {
    let (mut alice, _) = channels(7);
    let envelope = alice.seal(2, b"v=0").expect("seals");
    for i in 0..envelope.len() {
        let mut tampered = envelope.clone();
        tampered[i] ^= 0x01;
        assert_eq!(channels(7).1.open(&tampered), Err(OpenError), "byte {i}");
    }
    for len in [0, 10, 22, envelope.len() - 1] {
        assert_eq!(
            channels(7).1.open(&envelope[..len]),
            Err(OpenError),
            "{len} bytes"
        );
    }
    assert!(channels(7).1.open(&envelope).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_hello_kind_is_reserved() {
    let (mut alice, mut bob) = channels(8);
    assert_eq!(alice.seal(HELLO_KIND, b"x"), Err(SealError::ReservedKind));
    let mut envelope = alice.seal(2, b"x").expect("seals");
    envelope[1] = HELLO_KIND;
    assert_eq!(bob.open(&envelope), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_pair_channel_needs_two_peers_and_two_hellos() {
    let (a, b) = (hello("Ada", 9), hello("Bob", 1009));
    let room = keys().room_id().clone();
    assert_eq!(
        PairChannel::new(keys().signal(), room.clone(), ALICE, ALICE, &a, &b).map(|_| ()),
        Err(PairError)
    );
    assert_eq!(
        PairChannel::new(keys().signal(), room, ALICE, BOB, &a, &a).map(|_| ()),
        Err(PairError),
        "a reflected hello"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn pair_message_lengths_are_rounded_up_to_buckets() {
    let (mut alice, mut bob) = channels(10);
    let length = |alice: &mut PairChannel, len: usize| {
        alice.seal(3, &vec![b'a'; len]).expect("seals").len() - SIGNAL_OVERHEAD
    };
    assert_eq!(length(&mut alice, 0), PAIR_PADDED_MIN);
    assert_eq!(length(&mut alice, 120), length(&mut alice, 230));
    assert_eq!(length(&mut alice, 3000), 4096);
    assert_eq!(length(&mut alice, 5000), 8192);
    let envelope = alice.seal(3, &[b'x'; 255]).expect("seals");
    assert_eq!(envelope.len() - SIGNAL_OVERHEAD, 256);
    assert_eq!(
        bob.open(&envelope).expect("opens").plaintext,
        vec![b'x'; 255]
    );
}
