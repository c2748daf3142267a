//! ISO/IEC 7816-4 padding to buckets, canonical only.

use crypto::OpenError;
use crypto::padding::{pad, padded_len, unpad};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn padding_round_trips_into_the_smallest_bucket_with_room_for_the_marker() {
    for len in [
        0, 1, 100, 255, 256, 300, 511, 512, 1023, 1024, 4095, 4096, 9000,
    ] {
        let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let padded = pad(&plaintext, 0);
        assert!(padded.len() > len, "{len}");
        assert_eq!(padded.len(), padded_len(len, 0), "{len}");
        assert_eq!(unpad(&padded, 0), Ok(plaintext.as_slice()), "{len}");
    }
    assert_eq!(padded_len(10, 512), 512, "a minimum");
    assert_eq!(padded_len(600, 512), 1024);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn plaintext_ending_in_zeros_or_the_marker_survives() {
    for plaintext in [&[0u8; 10][..], &[0x80; 3], &[1, 0x80, 0], &[0x80; 255]] {
        assert_eq!(unpad(&pad(plaintext, 0), 0), Ok(plaintext));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn bad_or_non_canonical_padding_is_refused() {
    let good = pad(b"hello", 0);
    let mut no_marker = good.clone();
    no_marker[5] = 0x00;
    let mut other_marker = good.clone();
    other_marker[5] = 0x01;
    let mut junk_after_marker = good.clone();
    junk_after_marker[200] = 0x01;
    let mut a_bucket_too_many = b"hello".to_vec();
    a_bucket_too_many.push(0x80);
    a_bucket_too_many.resize(512, 0);
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("all zeros", vec![0; 256]),
        ("no marker", no_marker),
        ("another marker", other_marker),
        ("junk after the marker", junk_after_marker),
        ("not a bucket length", good[..255].to_vec()),
        ("a bucket too many", a_bucket_too_many),
    ] {
        assert_eq!(unpad(&bytes, 0), Err(OpenError), "{what}");
    }
    assert_eq!(unpad(&good, 512), Err(OpenError), "below the minimum");
    assert_eq!(unpad(&good, 0), Ok(&b"hello"[..]));
}
