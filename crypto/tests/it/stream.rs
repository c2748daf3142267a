use std::collections::HashSet;

use crypto::stream::{STREAM_HEADER_LEN, STREAM_OVERHEAD};
use crypto::{OpenError, RoomName, StreamId, StreamOpener, StreamSealer, room_id};

use crate::{keys, other_keys};

fn pair() -> (StreamSealer, StreamOpener) {
    let sealer = StreamSealer::new(keys().chat(), keys().room_id()).expect("randomness");
    let opener = StreamOpener::new(keys().chat(), keys().room_id(), sealer.stream_id());
    (sealer, opener)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn stream_frames_open_in_order() {
    let (mut sealer, mut opener) = pair();
    for i in 0..100u32 {
        let text = i.to_be_bytes();
        let frame = sealer.seal(2, &text).expect("seals");
        assert_eq!(frame.len(), STREAM_OVERHEAD + text.len());
        let opened = opener.open(&frame).expect("opens");
        assert_eq!((opened.kind, opened.plaintext), (2, text.to_vec()));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_flipped_byte_of_a_frame_is_rejected() {
    let (mut sealer, _) = pair();
    let frame = sealer.seal(1, b"chat message").expect("seals");
    for i in 0..frame.len() {
        let mut tampered = frame.clone();
        tampered[i] ^= 0x01;
        let mut opener = StreamOpener::new(keys().chat(), keys().room_id(), sealer.stream_id());
        assert_eq!(
            opener.open(&tampered),
            Err(OpenError),
            "byte {i} flipped accepted"
        );
    }
    for len in 0..frame.len() {
        let mut opener = StreamOpener::new(keys().chat(), keys().room_id(), sealer.stream_id());
        assert_eq!(
            opener.open(&frame[..len]),
            Err(OpenError),
            "{len} bytes accepted"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn replayed_and_reordered_frames_are_rejected() {
    let (mut sealer, mut opener) = pair();
    let first = sealer.seal(1, b"one").expect("seals");
    let second = sealer.seal(1, b"two").expect("seals");
    let third = sealer.seal(1, b"three").expect("seals");
    assert!(opener.open(&second).is_ok());
    assert_eq!(opener.open(&second), Err(OpenError), "replay");
    assert_eq!(opener.open(&first), Err(OpenError), "reordered");
    let mut forged = third.clone();
    forged[2..10].copy_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(opener.open(&forged), Err(OpenError), "forged counter");
    assert!(
        opener.open(&third).is_ok(),
        "a rejected forgery does not advance the counter"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn frames_only_open_under_their_stream_key_room_and_purpose() {
    let (mut sealer, _) = pair();
    let id = sealer.stream_id();
    let frame = sealer.seal(1, b"chat").expect("seals");
    let other_stream = StreamId::from_bytes([0; 16]);
    let other_room = room_id(&RoomName::parse("another room").expect("valid"));
    let mut wrong_id = StreamOpener::new(keys().chat(), keys().room_id(), other_stream);
    let mut wrong_room = StreamOpener::new(keys().chat(), &other_room, id);
    let mut wrong_passphrase = StreamOpener::new(other_keys().chat(), keys().room_id(), id);
    let mut wrong_purpose = StreamOpener::new(keys().media(), keys().room_id(), id);
    assert_eq!(wrong_id.open(&frame), Err(OpenError), "stream id");
    assert_eq!(wrong_room.open(&frame), Err(OpenError), "room");
    assert_eq!(wrong_passphrase.open(&frame), Err(OpenError), "passphrase");
    assert_eq!(
        wrong_purpose.open(&frame),
        Err(OpenError),
        "media key for a chat stream"
    );
    let mut kind = frame.clone();
    kind[1] = 9;
    let mut right = StreamOpener::new(keys().chat(), keys().room_id(), id);
    assert_eq!(right.open(&kind), Err(OpenError), "kind");
    assert!(right.open(&frame).is_ok());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn senders_get_distinct_stream_ids_so_equal_counters_never_share_a_key() {
    // Two senders both at counter 0 with the same plaintext: distinct stream ids give distinct keys,
    // hence distinct ciphertexts (a shared key and nonce would give equal ones).
    let mut ids = HashSet::new();
    let mut ciphertexts = HashSet::new();
    for _ in 0..500 {
        let mut sealer = StreamSealer::new(keys().chat(), keys().room_id()).expect("randomness");
        assert!(ids.insert(sealer.stream_id()), "stream id repeated");
        let frame = sealer.seal(1, &[0u8; 32]).expect("seals");
        assert_eq!(&frame[2..10], &[0; 8], "the first frame has counter 0");
        assert!(
            ciphertexts.insert(frame[10..].to_vec()),
            "key and nonce repeated"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn stream_ids_round_trip_through_bytes() {
    let (sealer, _) = pair();
    let id = sealer.stream_id();
    assert_eq!(StreamId::from_slice(id.as_bytes()), Some(id));
    assert_eq!(StreamId::from_slice(&id.as_bytes()[..15]), None);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_frame_sealed_and_opened_in_steps_is_the_same_frame() {
    let (mut sealer, mut opener) = pair();
    let mut twin = StreamSealer::new(keys().chat(), keys().room_id()).expect("randomness");
    let spec = sealer.next_spec(2).expect("a counter");
    let frame = sealer.seal_spec(&spec, b"a chunk").expect("seals");
    assert_eq!(&frame[..STREAM_HEADER_LEN], spec.header().as_slice());
    assert_eq!(opener.open(&frame).expect("opens").plaintext, b"a chunk");
    assert_ne!(
        twin.seal(2, b"a chunk").expect("seals"),
        frame,
        "another stream"
    );

    let next = sealer.seal(2, b"the next").expect("seals");
    let spec = opener.spec(&next).expect("a later counter");
    let body = &next[STREAM_HEADER_LEN..];
    let (plaintext, proof) = opener.open_spec(&spec, body).expect("opens");
    assert_eq!(plaintext, b"the next");
    assert!(proof.is_for(&spec));
    assert!(
        opener.spec(&next).is_ok(),
        "not accepted yet: the same counter may still come"
    );
    // A proof from another stream accepts nothing here.
    let other = StreamOpener::new(keys().chat(), keys().room_id(), twin.stream_id());
    let twin_frame = twin.seal(2, b"twin").expect("seals");
    let twin_spec = other.spec(&twin_frame).expect("a first counter");
    let (_, twin_proof) = other
        .open_spec(&twin_spec, &twin_frame[STREAM_HEADER_LEN..])
        .expect("opens");
    assert!(!twin_proof.is_for(&spec));
    opener.accept(twin_proof);
    assert!(opener.spec(&next).is_ok(), "another stream's proof");
    opener.accept(proof);
    assert_eq!(opener.spec(&next), Err(OpenError), "accepted: a replay");
    assert_eq!(opener.open(&frame), Err(OpenError), "an earlier frame");
}

/// WebCrypto's AES-GCM in the browser against this crate's, both ways, on a file-sized chunk.
#[cfg(target_arch = "wasm32")]
mod in_webcrypto {
    use crypto::OpenError;
    use crypto::stream::STREAM_HEADER_LEN;
    use crypto::webcrypto::WebStreamKey;
    use js_sys::Uint8Array;

    use super::pair;

    fn bytes(buffer: &js_sys::ArrayBuffer) -> Vec<u8> {
        Uint8Array::new(buffer).to_vec()
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    async fn a_frame_sealed_by_webcrypto_opens_here_and_the_reverse() {
        let (mut sealer, mut opener) = pair();
        let chunk: Vec<u8> = (0..65_536u32).map(|i| (i % 251) as u8).collect();

        let web = WebStreamKey::import(sealer.key()).await.expect("imports");
        let spec = sealer.next_spec(2).expect("a counter");
        let sealed = web
            .seal(&spec, &Uint8Array::from(chunk.as_slice()))
            .await
            .expect("seals");
        let frame = [spec.header().as_slice(), &bytes(&sealed)].concat();
        assert_eq!(frame, sealer.seal_spec(&spec, &chunk).expect("seals"));
        assert_eq!(opener.open(&frame).expect("opens").plaintext, chunk);

        let web = WebStreamKey::import(opener.key()).await.expect("imports");
        let frame = sealer.seal(3, b"the end").expect("seals");
        let spec = opener.spec(&frame).expect("a later counter");
        let body = Uint8Array::from(&frame[STREAM_HEADER_LEN..]);
        let (opened, proof) = web.open(&spec, &body).await.expect("opens");
        assert_eq!(bytes(&opened), b"the end");
        assert!(proof.is_for(&spec));
        opener.accept(proof);
        assert_eq!(opener.spec(&frame), Err(OpenError), "accepted: a replay");

        let mut tampered = sealer.seal(2, b"flipped").expect("seals");
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let spec = opener.spec(&tampered).expect("a later counter");
        let body = Uint8Array::from(&tampered[STREAM_HEADER_LEN..]);
        assert_eq!(web.open(&spec, &body).await.err(), Some(OpenError));
    }
}
