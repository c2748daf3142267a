//! Hellos: sealed under the room's signalling key, bound to room, sender, recipient and kind,
//! padded to one length.

use std::collections::HashSet;

use crypto::seal::{HELLO_PADDED_MIN, SIGNAL_OVERHEAD, SIGNAL_VERSION};
use crypto::{HELLO_KIND, OpenError, RoomName, envelope_kind, open_hello, room_id, seal_hello};
use protocol::PeerId;

use crate::{keys, other_keys};

const ALICE: PeerId = PeerId(1);
const BOB: PeerId = PeerId(2);
const CAROL: PeerId = PeerId(3);

const HELLO: &[u8] = br#"{"t":"hello","name":"Ada","challenge":"00","commitment":"00"}"#;

fn hello_to_bob() -> Vec<u8> {
    seal_hello(keys().signal(), keys().room_id(), ALICE, BOB, HELLO).expect("seals")
}

fn bob_opens(from: PeerId, envelope: &[u8]) -> Result<Vec<u8>, OpenError> {
    open_hello(keys().signal(), keys().room_id(), from, BOB, envelope)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_hello_opens_for_its_recipient() {
    assert_eq!(bob_opens(ALICE, &hello_to_bob()).as_deref(), Ok(HELLO));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn hellos_of_short_and_long_names_have_the_same_length() {
    // The app shows at most 64 characters of a name; at 4 bytes each that is 256 bytes.
    let lengths: HashSet<usize> = [0, 1, 17, 64, 256]
        .into_iter()
        .map(|len| {
            let name = "\u{1F600}".repeat(len / 4) + &"x".repeat(len % 4);
            let hello = format!(
                r#"{{"t":"hello","name":"{name}","challenge":"{:032x}","commitment":"{}"}}"#,
                u128::MAX,
                "f".repeat(64)
            );
            let envelope = seal_hello(
                keys().signal(),
                keys().room_id(),
                ALICE,
                BOB,
                hello.as_bytes(),
            )
            .expect("seals");
            assert_eq!(bob_opens(ALICE, &envelope).as_deref(), Ok(hello.as_bytes()));
            envelope.len()
        })
        .collect();
    assert_eq!(
        lengths.into_iter().collect::<Vec<_>>(),
        [SIGNAL_OVERHEAD + HELLO_PADDED_MIN]
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_flipped_byte_of_a_hello_is_rejected() {
    let envelope = hello_to_bob();
    for i in 0..envelope.len() {
        for bit in [0x01, 0x80] {
            let mut tampered = envelope.clone();
            tampered[i] ^= bit;
            assert_eq!(
                bob_opens(ALICE, &tampered),
                Err(OpenError),
                "byte {i} ^ {bit:#x} accepted"
            );
        }
    }
    assert!(bob_opens(ALICE, &envelope).is_ok(), "the untampered hello");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn truncated_or_extended_hellos_are_rejected() {
    let envelope = hello_to_bob();
    for len in 0..envelope.len() {
        assert_eq!(
            bob_opens(ALICE, &envelope[..len]),
            Err(OpenError),
            "{len} bytes accepted"
        );
    }
    let extended = [envelope.as_slice(), &[0]].concat();
    assert_eq!(bob_opens(ALICE, &extended), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn changing_any_bound_field_of_a_hello_is_rejected() {
    let envelope = hello_to_bob();
    let elsewhere = room_id(&RoomName::parse("another room").expect("valid"));
    assert_eq!(
        open_hello(keys().signal(), &elsewhere, ALICE, BOB, &envelope),
        Err(OpenError),
        "room"
    );
    assert_eq!(bob_opens(CAROL, &envelope), Err(OpenError), "sender");
    assert_eq!(
        open_hello(keys().signal(), keys().room_id(), ALICE, CAROL, &envelope),
        Err(OpenError),
        "recipient"
    );
    let mut kind = envelope.clone();
    kind[1] = 2;
    assert_eq!(bob_opens(ALICE, &kind), Err(OpenError), "kind");
    let mut seq = envelope.clone();
    seq[2..10].copy_from_slice(&1u64.to_be_bytes());
    assert_eq!(bob_opens(ALICE, &seq), Err(OpenError), "seq");
    let mut version = envelope.clone();
    version[0] = 1;
    assert_eq!(bob_opens(ALICE, &version), Err(OpenError), "version");
    assert!(bob_opens(ALICE, &envelope).is_ok(), "the unchanged hello");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_hello_under_another_passphrase_is_rejected() {
    let forged =
        seal_hello(other_keys().signal(), keys().room_id(), ALICE, BOB, HELLO).expect("seals");
    assert_eq!(bob_opens(ALICE, &forged), Err(OpenError));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reflected_hellos_are_rejected() {
    // Alice's hello to Bob, reflected back to Alice as if Bob had sent it ...
    let to_bob = hello_to_bob();
    assert_eq!(
        open_hello(keys().signal(), keys().room_id(), BOB, ALICE, &to_bob),
        Err(OpenError)
    );
    // ... and a hello to oneself never opens, even when sealed that way.
    let to_self =
        seal_hello(keys().signal(), keys().room_id(), ALICE, ALICE, HELLO).expect("seals");
    assert_eq!(
        open_hello(keys().signal(), keys().room_id(), ALICE, ALICE, &to_self),
        Err(OpenError)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_kind_of_an_envelope_can_be_read_before_opening() {
    let envelope = hello_to_bob();
    assert_eq!(envelope[0], SIGNAL_VERSION);
    assert_eq!(envelope_kind(&envelope), Some(HELLO_KIND));
    assert_eq!(envelope_kind(&envelope[..SIGNAL_OVERHEAD - 1]), None);
    let mut old = envelope.clone();
    old[0] = 1;
    assert_eq!(envelope_kind(&old), None, "version 1");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn hello_nonces_are_unique() {
    let mut nonces = HashSet::new();
    for sender in 0..50 {
        for _ in 0..20 {
            let envelope = seal_hello(
                keys().signal(),
                keys().room_id(),
                PeerId(sender),
                PeerId(1000),
                HELLO,
            )
            .expect("seals");
            assert!(nonces.insert(envelope[10..22].to_vec()), "nonce repeated");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sealed_messages_survive_base64() {
    let envelope = hello_to_bob();
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
    let challenges: HashSet<u128> = (0..1000)
        .map(|_| crypto::challenge().expect("randomness"))
        .collect();
    assert_eq!(challenges.len(), 1000);
}
