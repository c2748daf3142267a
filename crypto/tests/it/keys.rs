use crypto::{KeyConfirmation, RoomName, derive_room_keys};

use crate::{ROOM, derive, keys, other_keys};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn nfc_and_nfd_passphrases_derive_the_same_keys() {
    let nfc = derive("Grüne Äpfel", "nfc-test");
    let nfd = derive("Gru\u{308}ne A\u{308}pfel", "nfc-test");
    assert!(nfc.confirmation().matches(nfd.confirmation()));
    let trimmed = derive(" Grüne Äpfel\n", "nfc-test");
    assert!(
        nfc.confirmation().matches(trimmed.confirmation()),
        "surrounding whitespace is trimmed"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn another_room_or_passphrase_gives_other_keys() {
    let same_passphrase_other_room = derive("correct horse battery staple", "another room");
    assert!(
        !keys()
            .confirmation()
            .matches(same_passphrase_other_room.confirmation())
    );
    assert!(!keys().confirmation().matches(other_keys().confirmation()));
    assert_ne!(keys().room_id(), same_passphrase_other_room.room_id());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn debug_output_never_shows_key_bytes() {
    let shown = format!("{:?}", keys());
    assert!(shown.contains("redacted"), "{shown}");
    let confirmation = crypto::to_base64(keys().confirmation().as_bytes());
    assert!(!shown.contains(&confirmation), "{shown}");
    let hex: String = keys()
        .confirmation()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!shown.contains(&hex[..8]), "{shown}");
    assert_eq!(format!("{:?}", keys().signal()), "Key<signal>(redacted)");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn an_empty_passphrase_still_derives_keys() {
    // The UI warns about weak passphrases; the key schedule itself refuses nothing.
    let room = RoomName::parse(ROOM).expect("valid");
    let empty = derive_room_keys("", &room).expect("derives");
    assert!(!empty.confirmation().matches(keys().confirmation()));
    assert_eq!(
        KeyConfirmation::from_slice(empty.confirmation().as_bytes()).as_ref(),
        Some(empty.confirmation())
    );
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
    // It is not the key-confirmation value either, and Debug does not show it.
    let confirmation: String = keys()
        .confirmation()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(token, confirmation);
    assert!(!format!("{:?}", keys()).contains(token));
}
