//! Commitments to DTLS certificate fingerprints.

use crypto::{Commitment, FingerprintError, dtls_commitment};

const OURS: &str = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
const THEIRS: &str = "sha-256 10:32:54:76:98:BA:DC:FE:10:32:54:76:98:BA:DC:FE:10:32:54:76:98:BA:DC:FE:10:32:54:76:98:BA:DC:FE";

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_commitment_opens_to_its_fingerprint_in_any_notation_and_to_nothing_else() {
    let commitment = dtls_commitment(OURS).expect("valid");
    let messy = format!(" a=fingerprint:SHA-256 {}\r\n", OURS[8..].to_lowercase());
    assert!(commitment.opens_to(OURS));
    assert!(commitment.opens_to(&messy));
    assert!(!commitment.opens_to(THEIRS));
    assert!(!commitment.opens_to(&OURS.replace("AB:CD:EF:01", "AB:CD:EF:02")));
    assert!(
        !commitment.opens_to(&OURS.replace("sha-256", "sha-1")),
        "the hash name counts"
    );
    assert!(!commitment.opens_to("garbage"));
    assert_ne!(commitment, dtls_commitment(THEIRS).expect("valid"));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn commitments_travel_as_64_hex_digits() {
    let commitment = dtls_commitment(THEIRS).expect("valid");
    let text = commitment.to_hex();
    assert_eq!(text.len(), 64);
    assert_eq!(Commitment::from_hex(&text), Some(commitment));
    assert_eq!(Commitment::from_hex(&text.to_uppercase()), Some(commitment));
    for bad in [
        &text[..63],
        &format!("{text}0"),
        &format!("+{}", &text[1..]),
        &"g".repeat(64),
        "",
    ] {
        assert_eq!(Commitment::from_hex(bad), None, "{bad:?}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn malformed_fingerprints_have_no_commitment() {
    for bad in ["", "sha-256", "sha-256 ZZ:00", "sha-256 AB:CD extra"] {
        assert_eq!(
            dtls_commitment(bad).map(|_| ()),
            Err(FingerprintError),
            "{bad:?}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn commitments_differ_in_every_byte_position() {
    let commitment = dtls_commitment(OURS).expect("valid");
    for i in 0..32 {
        let mut bytes = *commitment.as_bytes();
        bytes[i] ^= 0x01;
        assert!(
            !commitment.matches(&Commitment::from_bytes(bytes)),
            "byte {i}"
        );
    }
}
