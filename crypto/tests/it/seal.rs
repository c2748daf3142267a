use std::collections::HashSet;

use crypto::seal::{MAX_TRACKED_PEERS, SIGNAL_OVERHEAD};
use crypto::{OpenError, Opened, RoomName, SignalChannel, room_id};
use protocol::PeerId;

use crate::{keys, other_keys};

const ALICE: PeerId = PeerId(1);
const BOB: PeerId = PeerId(2);
const CAROL: PeerId = PeerId(3);

fn channel(me: PeerId) -> SignalChannel {
    SignalChannel::new(keys().signal(), keys().room_id().clone(), me)
}

fn sealed_offer() -> Vec<u8> {
    channel(ALICE).seal(BOB, 4, b"offer sdp").expect("seals")
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_sealed_message_opens_for_its_recipient_with_its_kind() {
    let mut alice = channel(ALICE);
    let mut bob = channel(BOB);
    for (kind, text) in [(0u8, &b""[..]), (1, b"hello"), (255, &[0u8; 5000][..])] {
        let envelope = alice.seal(BOB, kind, text).expect("seals");
        assert_eq!(envelope.len(), SIGNAL_OVERHEAD + text.len());
        assert_eq!(
            bob.open(ALICE, &envelope),
            Ok(Opened {
                kind,
                plaintext: text.to_vec()
            })
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_flipped_byte_of_a_sealed_message_is_rejected() {
    let envelope = sealed_offer();
    for i in 0..envelope.len() {
        for bit in [0x01, 0x80] {
            let mut tampered = envelope.clone();
            tampered[i] ^= bit;
            assert_eq!(
                channel(BOB).open(ALICE, &tampered),
                Err(OpenError),
                "byte {i} ^ {bit:#x} accepted"
            );
        }
    }
    assert!(
        channel(BOB).open(ALICE, &envelope).is_ok(),
        "the untampered message opens"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn truncated_or_extended_messages_are_rejected() {
    let envelope = sealed_offer();
    for len in 0..envelope.len() {
        assert_eq!(
            channel(BOB).open(ALICE, &envelope[..len]),
            Err(OpenError),
            "{len} bytes accepted"
        );
    }
    let extended = [envelope.as_slice(), &[0]].concat();
    assert_eq!(channel(BOB).open(ALICE, &extended), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn changing_any_bound_field_is_rejected() {
    let envelope = sealed_offer();
    // Another room (same key): the server moved the message between rooms.
    let elsewhere = room_id(&RoomName::parse("another room").expect("valid"));
    let mut bob_elsewhere = SignalChannel::new(keys().signal(), elsewhere, BOB);
    assert_eq!(bob_elsewhere.open(ALICE, &envelope), Err(OpenError), "room");
    // Another sender: the server claims Carol sent it.
    assert_eq!(
        channel(BOB).open(CAROL, &envelope),
        Err(OpenError),
        "sender"
    );
    // Another recipient: the server redirects it to Carol.
    assert_eq!(
        channel(CAROL).open(ALICE, &envelope),
        Err(OpenError),
        "recipient"
    );
    // Another kind, sequence number or version in the cleartext header.
    let mut kind = envelope.clone();
    kind[1] = 5;
    assert_eq!(channel(BOB).open(ALICE, &kind), Err(OpenError), "kind");
    let mut seq = envelope.clone();
    seq[2..10].copy_from_slice(&2u64.to_be_bytes());
    assert_eq!(channel(BOB).open(ALICE, &seq), Err(OpenError), "seq");
    let mut version = envelope.clone();
    version[0] = 2;
    assert_eq!(
        channel(BOB).open(ALICE, &version),
        Err(OpenError),
        "version"
    );
    assert!(
        channel(BOB).open(ALICE, &envelope).is_ok(),
        "the unchanged message opens"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_message_under_another_passphrase_is_rejected() {
    let mut mallory = SignalChannel::new(other_keys().signal(), keys().room_id().clone(), ALICE);
    let forged = mallory.seal(BOB, 4, b"offer sdp").expect("seals");
    assert_eq!(channel(BOB).open(ALICE, &forged), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn replayed_and_reordered_messages_are_rejected() {
    let mut alice = channel(ALICE);
    let mut bob = channel(BOB);
    let first = alice.seal(BOB, 1, b"first").expect("seals");
    let second = alice.seal(BOB, 1, b"second").expect("seals");
    let third = alice.seal(BOB, 1, b"third").expect("seals");
    assert!(bob.open(ALICE, &second).is_ok());
    assert_eq!(bob.open(ALICE, &second), Err(OpenError), "replay");
    assert_eq!(bob.open(ALICE, &first), Err(OpenError), "reordered");
    assert!(bob.open(ALICE, &third).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sequence_numbers_count_per_channel_across_recipients() {
    let mut alice = channel(ALICE);
    let seq = |envelope: &[u8]| u64::from_be_bytes(envelope[2..10].try_into().expect("8 bytes"));
    let to_bob = alice.seal(BOB, 1, b"a").expect("seals");
    let to_carol = alice.seal(CAROL, 1, b"b").expect("seals");
    let to_bob_again = alice.seal(BOB, 1, b"c").expect("seals");
    assert_eq!(
        [seq(&to_bob), seq(&to_carol), seq(&to_bob_again)],
        [1, 2, 3]
    );
    let mut bob = channel(BOB);
    assert!(bob.open(ALICE, &to_bob).is_ok());
    assert!(
        bob.open(ALICE, &to_bob_again).is_ok(),
        "gaps are fine, only the order matters"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reflected_messages_are_rejected() {
    let mut alice = channel(ALICE);
    // A message Alice sealed to Bob, reflected back to Alice as if Bob sent it ...
    let to_bob = alice.seal(BOB, 1, b"offer").expect("seals");
    assert_eq!(alice.open(BOB, &to_bob), Err(OpenError));
    // ... or as if from herself, even when she sealed it to herself.
    let to_self = alice.seal(ALICE, 1, b"offer").expect("seals");
    assert_eq!(alice.open(ALICE, &to_self), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rejected_messages_do_not_advance_the_replay_state() {
    let mut alice = channel(ALICE);
    let mut bob = channel(BOB);
    let genuine = alice.seal(BOB, 1, b"genuine").expect("seals");
    // A forgery claiming a huge sequence number must not block the genuine message.
    let mut forged = genuine.clone();
    forged[2..10].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(bob.open(ALICE, &forged), Err(OpenError));
    let mut mallory = SignalChannel::new(other_keys().signal(), keys().room_id().clone(), ALICE);
    for _ in 0..5 {
        let wrong_key = mallory.seal(BOB, 1, b"x").expect("seals");
        assert_eq!(bob.open(ALICE, &wrong_key), Err(OpenError));
    }
    assert!(bob.open(ALICE, &genuine).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn forgetting_a_peer_lets_its_reused_id_start_afresh() {
    let mut bob = channel(BOB);
    let mut alice = channel(ALICE);
    for _ in 0..3 {
        assert!(
            bob.open(ALICE, &alice.seal(BOB, 1, b"x").expect("seals"))
                .is_ok()
        );
    }
    let mut alice_again = channel(ALICE);
    let restarted = alice_again.seal(BOB, 1, b"new session").expect("seals");
    assert_eq!(
        bob.open(ALICE, &restarted),
        Err(OpenError),
        "sequence 1 again before forgetting"
    );
    bob.forget(ALICE);
    assert!(bob.open(ALICE, &restarted).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn replay_state_is_bounded() {
    let me = PeerId(0);
    let mut receiver = channel(me);
    let envelopes: Vec<(PeerId, Vec<u8>)> = (1..=MAX_TRACKED_PEERS as u64 + 1)
        .map(|id| {
            (
                PeerId(id),
                channel(PeerId(id)).seal(me, 1, b"hello").expect("seals"),
            )
        })
        .collect();
    let (last, rest) = envelopes.split_last().expect("peers");
    for (from, envelope) in rest {
        assert!(receiver.open(*from, envelope).is_ok(), "peer {from}");
    }
    assert_eq!(
        receiver.open(last.0, &last.1),
        Err(OpenError),
        "one peer beyond the bound"
    );
    receiver.forget(PeerId(1));
    assert!(
        receiver.open(last.0, &last.1).is_ok(),
        "accepted once an entry is free"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn nonces_are_unique_across_many_senders() {
    let mut nonces = HashSet::new();
    for sender in 0..50 {
        let mut channel = channel(PeerId(sender));
        for _ in 0..40 {
            let envelope = channel.seal(PeerId(1000), 1, b"x").expect("seals");
            assert!(nonces.insert(envelope[10..22].to_vec()), "nonce repeated");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sealed_messages_survive_base64() {
    let envelope = sealed_offer();
    let text = crypto::to_base64(&envelope);
    assert_eq!(
        crypto::from_base64(&text).as_deref(),
        Ok(envelope.as_slice())
    );
    assert!(crypto::from_base64("not base64!").is_err());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn hello_challenges_never_repeat() {
    let challenges: std::collections::HashSet<u128> = (0..1000)
        .map(|_| crypto::challenge().expect("randomness"))
        .collect();
    assert_eq!(challenges.len(), 1000);
}
