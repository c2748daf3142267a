use crypto::kdf::{argon2_salt, stretch_normalized};
use crypto::keys::normalize_passphrase;
use crypto::{RoomKeys, RoomName, RootSecret, derive_room_keys, stretch_passphrase};

use crate::{ROOM, derive, keys, other_keys};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn nfc_and_nfd_passphrases_derive_the_same_keys() {
    let nfc = derive("Grüne Äpfel", "nfc-test");
    let nfd = derive("Gru\u{308}ne A\u{308}pfel", "nfc-test");
    assert_eq!(nfc.admission_token(), nfd.admission_token());
    let trimmed = derive(" Grüne Äpfel\n", "nfc-test");
    assert_eq!(
        nfc.admission_token(),
        trimmed.admission_token(),
        "surrounding whitespace is trimmed"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn another_room_or_passphrase_gives_other_keys() {
    let same_passphrase_other_room = derive("correct horse battery staple", "another room");
    assert_ne!(
        keys().admission_token(),
        same_passphrase_other_room.admission_token()
    );
    assert_ne!(keys().admission_token(), other_keys().admission_token());
    assert_ne!(keys().room_id(), same_passphrase_other_room.room_id());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn debug_output_never_shows_key_bytes() {
    let shown = format!("{:?}", keys());
    assert!(shown.contains("redacted"), "{shown}");
    assert!(!shown.contains(&keys().admission_token()[..8]), "{shown}");
    assert_eq!(format!("{:?}", keys().signal()), "Key<signal>(redacted)");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn an_empty_passphrase_still_derives_keys() {
    // The UI warns about weak passphrases; the key schedule itself refuses nothing.
    let room = RoomName::parse(ROOM).expect("valid");
    let empty = derive_room_keys("", &room).expect("derives");
    assert_eq!(empty.admission_token().len(), 64);
    assert_ne!(empty.admission_token(), keys().admission_token());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_admission_token_is_64_hex_digits_that_tell_passphrases_and_rooms_apart() {
    let token = keys().admission_token();
    assert_eq!(token.len(), 64);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{token}"
    );
    assert_ne!(token, other_keys().admission_token());
    let other_room = derive("correct horse battery staple", "another room");
    assert_ne!(token, other_room.admission_token());
    // Debug does not show it.
    assert!(!format!("{:?}", keys()).contains(token));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_root_secret_carried_as_bytes_gives_the_same_keys() {
    // The browser stretches the passphrase in a worker and posts the root secret's bytes back.
    let room = RoomName::parse(ROOM).expect("valid");
    let stretched = stretch_passphrase("correct horse battery staple", &room).expect("derives");
    let carried = RootSecret::from_bytes(*stretched.expose());
    let keys_here = RoomKeys::from_root(&room, &carried);
    assert_eq!(keys_here.admission_token(), keys().admission_token());
    assert_eq!(keys_here.room_id(), keys().room_id());
    // The worker gets the passphrase normalised and the salt, not the room name.
    let password = normalize_passphrase(" correct horse battery staple\n");
    let in_worker = stretch_normalized(&password, &argon2_salt(&room)).expect("derives");
    assert_eq!(in_worker.expose(), stretched.expose());
}
