use crypto::KeyConfirmation;

use crate::{keys, other_keys};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn key_confirmation_tells_same_from_different_passphrases() {
    let received = KeyConfirmation::from_slice(keys().confirmation().as_bytes()).expect("32 bytes");
    assert!(keys().confirmation().matches(&received));
    assert!(!other_keys().confirmation().matches(&received));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn key_confirmation_of_the_wrong_length_is_refused() {
    let bytes = keys().confirmation().as_bytes();
    assert!(KeyConfirmation::from_slice(&bytes[..31]).is_none());
    assert!(KeyConfirmation::from_slice(&[bytes.as_slice(), &[0]].concat()).is_none());
    assert!(KeyConfirmation::from_slice(&[]).is_none());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn key_confirmation_differs_in_every_byte_position() {
    for i in 0..32 {
        let mut bytes = *keys().confirmation().as_bytes();
        bytes[i] ^= 0x01;
        let flipped = KeyConfirmation::from_slice(&bytes).expect("32 bytes");
        assert!(
            !keys().confirmation().matches(&flipped),
            "byte {i} flipped still matches"
        );
    }
}
