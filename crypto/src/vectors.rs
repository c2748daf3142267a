//! Known-answer tests of the primitives exactly as Stube calls them (published vectors, sources named
//! on each table) and Stube's own frozen vectors, which pin the whole construction: any change of a
//! label, parameter, encoding or wire format fails here. They need the crate-internal functions, so
//! they are unit tests; they run natively and as wasm in headless Chromium.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use argon2::{Argon2, AssociatedData, ParamsBuilder};
use protocol::PeerId;

use crate::aead::{Cipher, Nonce};
use crate::hash::hkdf;
use crate::kdf::{ARGON2_ALGORITHM, ARGON2_VERSION, KDF_V1, argon2_salt, argon2id};
use crate::keys::{Key, RoomKeys, derive_room_keys};
use crate::room::{RoomName, hex};
use crate::seal::SignalChannel;
use crate::stream::{StreamId, StreamOpener, StreamSealer};
use crate::{safety_number, wordlist::Language};

fn unhex(text: &str) -> Vec<u8> {
    let text: String = text.split_whitespace().collect();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("test vectors are hex"))
        .collect()
}

/// RFC 9106, section 5.3 (Argon2id, version 0x13): password 32 x 0x01, salt 16 x 0x02, secret 8 x
/// 0x03, associated data 12 x 0x04, m = 32 KiB, t = 3, p = 4, 32-byte tag.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn argon2id_matches_rfc9106_section_5_3() {
    const TAG: &str = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659";
    let data = AssociatedData::new(&[0x04; 12]).expect("12 bytes of associated data");
    let params = ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .data(data)
        .output_len(32)
        .build()
        .expect("RFC 9106 parameters");
    let argon2 = Argon2::new_with_secret(&[0x03; 8], ARGON2_ALGORITHM, ARGON2_VERSION, params)
        .expect("an 8-byte secret");
    let mut tag = [0u8; 32];
    argon2
        .hash_password_into(&[0x01; 32], &[0x02; 16], &mut tag)
        .expect("hashes");
    assert_eq!(hex(&tag), TAG);
}

struct HkdfVector {
    ikm: &'static str,
    salt: &'static str,
    info: &'static str,
    okm: &'static str,
}

/// RFC 5869, appendix A, test cases 1 to 3 (HKDF-SHA256).
const RFC5869: [HkdfVector; 3] = [
    HkdfVector {
        ikm: "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        salt: "000102030405060708090a0b0c",
        info: "f0f1f2f3f4f5f6f7f8f9",
        okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    },
    HkdfVector {
        ikm: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
              202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
              404142434445464748494a4b4c4d4e4f",
        salt: "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
               808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f
               a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
        info: "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf
               d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef
               f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
        okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c
              59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71
              cc30c58179ec3e87c14c01d5c1f3434f1d87",
    },
    HkdfVector {
        ikm: "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
        salt: "",
        info: "",
        okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    },
];

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn hkdf_sha256_matches_rfc5869_test_cases_1_to_3() {
    for (case, v) in RFC5869.iter().enumerate() {
        let (ikm, salt, info, okm) = (unhex(v.ikm), unhex(v.salt), unhex(v.info), unhex(v.okm));
        let got = match okm.len() {
            42 => hkdf::<42>(&salt, &ikm, &info).to_vec(),
            82 => hkdf::<82>(&salt, &ikm, &info).to_vec(),
            other => panic!("no test case has {other} output bytes"),
        };
        assert_eq!(hex(&got), hex(&okm), "RFC 5869 test case {}", case + 1);
    }
}

struct GcmVector {
    key: &'static str,
    nonce: &'static str,
    plaintext: &'static str,
    aad: &'static str,
    ciphertext: &'static str,
    tag: &'static str,
}

const GCM_K: &str = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const GCM_IV: &str = "cafebabefacedbaddecaf888";
const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
                     1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
const GCM_C: &str = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
                     8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

/// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", the specification submitted to
/// NIST (gcm-spec.pdf), appendix B, test cases 13 to 16 (AES-256, 96-bit IV).
const MCGREW_VIEGA: [GcmVector; 4] = [
    GcmVector {
        key: "0000000000000000000000000000000000000000000000000000000000000000",
        nonce: "000000000000000000000000",
        plaintext: "",
        aad: "",
        ciphertext: "",
        tag: "530f8afbc74536b9a963b4f1c4cb738b",
    },
    GcmVector {
        key: "0000000000000000000000000000000000000000000000000000000000000000",
        nonce: "000000000000000000000000",
        plaintext: "00000000000000000000000000000000",
        aad: "",
        ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
        tag: "d0d1c8a799996bf0265b98b5d48ab919",
    },
    GcmVector {
        key: GCM_K,
        nonce: GCM_IV,
        plaintext: GCM_P,
        aad: "",
        ciphertext: GCM_C,
        tag: "b094dac5d93471bdec1a502270e3cc6c",
    },
    GcmVector {
        key: GCM_K,
        nonce: GCM_IV,
        plaintext: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
                    1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
                     8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        tag: "76fc6ece0f4e1768cddf8853bb2d551b",
    },
];

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn aes256gcm_matches_mcgrew_viega_test_cases_13_to_16() {
    for (case, v) in MCGREW_VIEGA.iter().enumerate() {
        let key: [u8; 32] = unhex(v.key).try_into().expect("32-byte key");
        let nonce = Nonce::from_bytes(unhex(v.nonce).try_into().expect("12-byte nonce"));
        let (plaintext, aad) = (unhex(v.plaintext), unhex(v.aad));
        let expected = [unhex(v.ciphertext), unhex(v.tag)].concat();
        let cipher = Cipher::new(&key);
        let mut sealed = plaintext.clone();
        cipher
            .seal_in_place(&nonce, &aad, &mut sealed, 0)
            .expect("seals");
        assert_eq!(hex(&sealed), hex(&expected), "test case {}", case + 13);
        let opened = cipher
            .open(&nonce, &aad, &sealed)
            .expect("opens its own vector");
        assert_eq!(opened, plaintext, "test case {}", case + 13);
    }
}

/// Stube's frozen vectors (construction version 1). Regenerate only with a new version and labels.
/// Reproduced independently (argon2-cffi, pyca/cryptography) by `tests/vectors/stube_v1_crosscheck.py`.
mod stube_v1 {
    /// The passphrase, in NFC. (The tests also derive from its NFD form.)
    pub const PASSPHRASE: &str = "Grüne Äpfel tanzen leise im Mondlicht";
    /// As typed; it normalises to `ROOM_NAME`.
    pub const ROOM_TYPED: &str = "  Stube   Testraum ";
    pub const ROOM_NAME: &str = "stube testraum";
    pub const ARGON2_SALT: &str =
        "074489febc5d59d5678d2289379b6abd5ecdd0e9c348c90ba949a7abfe812332";
    pub const ROOM_ID: &str = "20a8b4e9a4c6d5c10a85872c2cdf7be31a329fc4103e0a04b17421010c9260d0";
    pub const SIGNAL_KEY: &str = "bcf08f8d02693b8d4ad5f2b25b1cc5ede1c60221fa5afa176278c84a2771f229";
    pub const CHAT_KEY: &str = "81b97f28fc9fc254d7527813442433e65355df010ed8baa21389e9b97adc52cd";
    pub const MEDIA_KEY: &str = "3e9bee408bacd9b1a0e2da4119cae4bb7b981af066e22c146341b0512a62c736";
    pub const SAFETY_KEY: &str = "edb997460de4cde5b191679fdb5811929e62fc1ed65856fd5353a41f6d755b1b";
    pub const KEY_CONFIRMATION: &str =
        "d4fb2539f5bbc6149fbc54724a242b861e43955a4526c13bba857ebc037bc7b4";
    /// `SignalChannel` of peer 7 sealing kind 3, `SIGNAL_PLAINTEXT` to peer 9, as its first
    /// message, with nonce `SIGNAL_NONCE`.
    pub const SIGNAL_PLAINTEXT: &[u8] = b"v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1";
    pub const SIGNAL_NONCE: &str = "000102030405060708090a0b";
    pub const SIGNAL_ENVELOPE: &str = "01030000000000000001000102030405060708090a0bb4e0c0df69ccbd1a08d0a024fba31c8bfa63e624456b0623c5fbdf8619579afc879c25c3aac8a02aeb504c9bb34a11a424fe4a3c9a20ded7833b8e3cba90";
    /// A chat stream with id 16 x 0x5a sealing kind 1, `STREAM_PLAINTEXT`, as its first frame.
    pub const STREAM_PLAINTEXT: &[u8] = b"Hallo, Welt!";
    pub const STREAM_FRAME: &str =
        "010100000000000000002d00df02991ce587b951530abd9306f6c23de571f2a092d67b8e1a8c";
    /// The safety number of these two fingerprints (in either order).
    pub const FINGERPRINT_A: &str = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    pub const FINGERPRINT_B: &str = "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
    pub const SAFETY_NUMBER: &str = "94271 71336 88935";
}

fn frozen_keys() -> RoomKeys {
    let room = RoomName::parse(stube_v1::ROOM_TYPED).expect("a valid room name");
    derive_room_keys(stube_v1::PASSPHRASE, &room).expect("derives")
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn key_schedule_matches_frozen_stube_v1_vectors() {
    let room = RoomName::parse(stube_v1::ROOM_TYPED).expect("a valid room name");
    assert_eq!(room.as_str(), stube_v1::ROOM_NAME);
    assert_eq!(hex(&argon2_salt(&room)), stube_v1::ARGON2_SALT);
    let keys = frozen_keys();
    assert_eq!(keys.room_id().as_str(), stube_v1::ROOM_ID);
    assert_eq!(hex(keys.signal().expose()), stube_v1::SIGNAL_KEY);
    assert_eq!(hex(keys.chat().expose()), stube_v1::CHAT_KEY);
    assert_eq!(hex(keys.media().expose()), stube_v1::MEDIA_KEY);
    assert_eq!(hex(keys.safety().expose()), stube_v1::SAFETY_KEY);
    assert_eq!(
        hex(keys.confirmation().as_bytes()),
        stube_v1::KEY_CONFIRMATION
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn kdf_runs_at_the_versioned_parameters() {
    assert_eq!(
        (KDF_V1.version, KDF_V1.m_kib, KDF_V1.t, KDF_V1.p),
        (1, 32 * 1024, 3, 1)
    );
    // The root secret is Argon2id at KDF_V1 of the NFC passphrase and the room salt: recompute the
    // signalling key from it by hand.
    let room = RoomName::parse(stube_v1::ROOM_NAME).expect("a valid room name");
    let root = argon2id(
        &KDF_V1,
        stube_v1::PASSPHRASE.as_bytes(),
        &argon2_salt(&room),
    )
    .expect("derives");
    let signal: Key<crate::keys::Signal> = Key::from_bytes(hkdf(
        crate::keys::KEY_SCHEDULE_SALT,
        root.expose(),
        crate::keys::SIGNAL_KEY_LABEL,
    ));
    assert_eq!(hex(signal.expose()), stube_v1::SIGNAL_KEY);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sealed_signal_message_matches_frozen_stube_v1_vector() {
    let keys = frozen_keys();
    let nonce = Nonce::from_bytes(unhex(stube_v1::SIGNAL_NONCE).try_into().expect("12 bytes"));
    let mut alice = SignalChannel::new(keys.signal(), keys.room_id().clone(), PeerId(7));
    let envelope = alice
        .seal_with_nonce(PeerId(9), 3, stube_v1::SIGNAL_PLAINTEXT, nonce)
        .expect("seals");
    assert_eq!(hex(&envelope), stube_v1::SIGNAL_ENVELOPE);
    let mut bob = SignalChannel::new(keys.signal(), keys.room_id().clone(), PeerId(9));
    let opened = bob
        .open(PeerId(7), &unhex(stube_v1::SIGNAL_ENVELOPE))
        .expect("opens");
    assert_eq!(
        (opened.kind, opened.plaintext.as_slice()),
        (3, stube_v1::SIGNAL_PLAINTEXT)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn stream_frame_and_safety_number_match_frozen_stube_v1_vectors() {
    let keys = frozen_keys();
    let id = StreamId::from_bytes([0x5a; 16]);
    let mut sealer = StreamSealer::with_id(keys.chat(), keys.room_id(), id);
    let frame = sealer.seal(1, stube_v1::STREAM_PLAINTEXT).expect("seals");
    assert_eq!(hex(&frame), stube_v1::STREAM_FRAME);
    let mut opener = StreamOpener::new(keys.chat(), keys.room_id(), id);
    assert_eq!(
        opener.open(&frame).expect("opens").plaintext,
        stube_v1::STREAM_PLAINTEXT
    );

    let (a, b) = (stube_v1::FINGERPRINT_A, stube_v1::FINGERPRINT_B);
    let number = safety_number(keys.safety(), a, b).expect("valid fingerprints");
    assert_eq!(number.to_string(), stube_v1::SAFETY_NUMBER);
    assert_eq!(safety_number(keys.safety(), b, a), Ok(number));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn stream_sealer_refuses_to_wrap_its_counter() {
    let key: Key<crate::keys::Chat> = Key::from_bytes([7; 32]);
    let room = crate::room_id(&RoomName::parse("wrap").expect("a valid room name"));
    let mut sealer = StreamSealer::with_id(&key, &room, StreamId::from_bytes([1; 16]));
    sealer.set_next_counter(u64::MAX - 1);
    assert!(
        sealer.seal(0, b"last").is_ok(),
        "counter 2^64 - 2 is the last one"
    );
    assert_eq!(sealer.seal(0, b"wraps"), Err(crate::SealError::Exhausted));
    assert_eq!(
        sealer.seal(0, b"still refused"),
        Err(crate::SealError::Exhausted)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn word_lists_have_7776_distinct_lowercase_ascii_words() {
    for language in Language::ALL {
        let words = language.words();
        assert_eq!(words.len(), crate::wordlist::WORDLIST_LEN, "{language:?}");
        let mut sorted = words.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), words.len(), "{language:?} has duplicates");
        let bad: Vec<_> = words
            .iter()
            .filter(|w| w.is_empty() || !w.bytes().all(|b| b.is_ascii_lowercase()))
            .collect();
        assert!(
            bad.is_empty(),
            "{language:?} has words that are not lowercase ASCII: {bad:?}"
        );
    }
}
