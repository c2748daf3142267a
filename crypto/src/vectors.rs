//! Known-answer tests of the primitives exactly as Stube calls them (published vectors, sources named
//! on each table) and Stube's own frozen vectors (construction version 2), which pin the whole construction: any change of a
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
use crate::padding::{pad, padded_len, unpad};
use crate::pair::{PairChannel, pair_key};
use crate::room::{RoomName, hex};
use crate::seal::{open_hello, seal_hello_with_nonce};
use crate::stream::{StreamId, StreamOpener, StreamSealer};
use crate::{dtls_commitment, safety_number};

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

/// Stube's frozen vectors (construction version 2). Regenerate only with a new version and labels.
/// Reproduced independently (argon2-cffi, pyca/cryptography, hashlib) by
/// `tests/vectors/stube_v2_crosscheck.py`, which reads this module and fails unless every value
/// agrees (`cargo xtask test` runs it).
mod stube_v2 {
    /// The passphrase, in NFC. (The tests also derive from its NFD form.)
    pub const PASSPHRASE: &str = "Grüne Äpfel tanzen leise im Mondlicht";
    /// As typed; it normalises to `ROOM_NAME`.
    pub const ROOM_TYPED: &str = "  Stube   Testraum ";
    pub const ROOM_NAME: &str = "stube testraum";
    pub const ARGON2_SALT: &str =
        "8ca64f9455a18e8bd0dbbda03dfd7d5e855471ed95801ebd95bf86c2bea72974";
    pub const ROOM_ID: &str = "3e16c86e4101f9c1061617e142f98d0a2e9eb73d807e8dd45379081307b92d03";
    pub const SIGNAL_KEY: &str = "9d2393c534123d6c48b3e23a857df45152f509b5403c8f1955ed2713d2df5ff6";
    pub const CHAT_KEY: &str = "2055e6198a43ad6dcd3947cae9569a70d21f024f5003de83dfb0afec9d069b6e";
    pub const MEDIA_KEY: &str = "5ad219a6e9a9e89115463bc263c545df109a13aabc4f7e58b2a688f7ec00b33b";
    pub const SAFETY_KEY: &str = "67a84f5fc9601fa37fd5996746d40b4347f9ae17426be5da63261c7c9cd3d804";
    pub const ADMISSION_TOKEN: &str =
        "037273601185774bb4a1d7f03660a010ec1c8cff467b8fc39c592dbd9c23e2d4";
    /// Alice's and Bob's peer ids.
    pub const ALICE: u64 = 7;
    pub const BOB: u64 = 9;
    /// Alice's and Bob's DTLS certificate fingerprints and the commitments to them.
    pub const FINGERPRINT_A: &str = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    pub const FINGERPRINT_B: &str = "sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
    pub const COMMITMENT_A: &str =
        "77dd15805d4ebfe2dfa26d16a3c51f5111224173b81fa562231c9972ab1fa6bd";
    pub const COMMITMENT_B: &str =
        "3254d73e9ee1feb820d54c1e046ff20525d7c121a5e9ecb4d9b84dc78740effd";
    /// Their hello plaintexts (before padding), as the mesh crate writes them.
    pub const HELLO_A: &[u8] = br#"{"t":"hello","name":"Ada","challenge":"000102030405060708090a0b0c0d0e0f","commitment":"77dd15805d4ebfe2dfa26d16a3c51f5111224173b81fa562231c9972ab1fa6bd"}"#;
    pub const HELLO_B: &[u8] = br#"{"t":"hello","name":"Grace","challenge":"f0e1d2c3b4a5968778695a4b3c2d1e0f","commitment":"3254d73e9ee1feb820d54c1e046ff20525d7c121a5e9ecb4d9b84dc78740effd"}"#;
    /// Alice's hello to Bob, sealed with nonce `HELLO_NONCE`.
    pub const HELLO_NONCE: &str = "000102030405060708090a0b";
    pub const HELLO_ENVELOPE: &str = "02010000000000000000000102030405060708090a0b8e41d2d2836eb8a78b119d378cb24000da34176ea6b16c810e32123a58a7d30010d2a14a19f72c62ba485b00865b59f593c42b526779f4642569c820947d308ef34f4c10b5b17235024675cd1b273f207d93c96f2750f44c059b2f1453f9b92271eed5e817a252cd02a3c04d91e145a009921a0807f5faa1e1f1ce5670117399d5aa89c5e1ef6af0042c91bbc850837934fa93a6403d5ff24a1e1dddb5e74c1ae0c7e9745a5b28b7990e99f7ade4976c801677271b366cac763d256fc2a73e9caf81eccf207b3f1051289ed4c5e913576e9c8c409f6d69942c053d25b19cc50e30a08cbb4c426f9401f5543a62d65332713a14827d26710ce634c2d5a013d69b8dd2936bafc478eb08d033d5424452eba203d90c35a39051a89cdecaa3e83e20730447e882c2c67714ea871262f58d5c0b65bdc4eb49eb9338dc8a3e5b80635780f51f2eaa6bbce0d047f0de593483b856cc03746dc7320a4e0928f51a0de9ad9b0c40c2943177b02bed7571884abe296066baf7e70c8e918e704de6c5437475ed66be47d02dd6885cec2cee922dd18337002e163042b3205483941013d74148500c1b0b266215e239890bb957488df22334f292ba14ec9b9cbad41d6ae60f3dac2a3df867b7b5bfdc0a228e11f495788d3251d13d44da8a3c3ab0d1e268dab0c2bb1c6f53bc655da1b57b2f661a122f48acc7f2c573fde549df7c37e540f9d3e1ae53b98a6c49d0749d26b0e529280b";
    /// The pair keys of Alice and Bob after these hellos, in both directions.
    pub const PAIR_KEY_A_TO_B: &str =
        "a5b390e6678259ffe09d6b2118565cda3b1a7bc12814f8e3f07e2e73160910aa";
    pub const PAIR_KEY_B_TO_A: &str =
        "3386ca6e34c38a0246333559a203ca35a7376ee16e5cb9700132af5eb6e6cf6b";
    /// Alice's first pair message to Bob (seq 1): kind `PAIR_KIND`, `PAIR_PLAINTEXT`, nonce
    /// `PAIR_NONCE`.
    pub const PAIR_KIND: u8 = 2;
    pub const PAIR_PLAINTEXT: &[u8] = b"v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1";
    pub const PAIR_NONCE: &str = "0c0d0e0f1011121314151617";
    pub const PAIR_ENVELOPE: &str = "020200000000000000010c0d0e0f1011121314151617d768e1d8240b1dbc7513d983d8f2966ff6d1db8ede51f627cb81970fbfcd99d321df103df44f8308c7b5b2d781b3ebf33ecbf25745c6a67db092cb4a7523c3a629c5aa1a19ccaf23cbee326ef0124e250d301be07a7ad899f3a3940f41304d7e421bd7b207b4769c0506144a165d2003edbee475098eb981204097589b384e19d3e55bfa9287372b4636f35da4b799f929838872bf87ee10ffb4d1706f3eaf364d398d35ca6037202a2a15744836220a86a59ded7b3b31b438bbeafeeb569920613b6acf2e16f2376a52b124b4eb19c7c5ff47883c751875326832ee2565231c3bd0fd3d9890e72de6079e64cce94946c22958064d66bb478ba161ed248f58042696aac469f0922da3ab62543c4c140f";
    /// Plaintext length -> padded length (without a minimum).
    pub const PADDED_LENGTHS: [(usize, usize); 10] = [
        (0, 256),
        (255, 256),
        (256, 512),
        (511, 512),
        (512, 1024),
        (2047, 2048),
        (4095, 4096),
        (4096, 8192),
        (8191, 8192),
        (8192, 12288),
    ];
    /// A chat stream with id 16 x 0x5a sealing kind 1, `STREAM_PLAINTEXT`, as its first frame.
    pub const STREAM_PLAINTEXT: &[u8] = b"Hallo, Welt!";
    pub const STREAM_FRAME: &str =
        "02010000000000000000a1cacff4fc0bef4caf0001431837e3f927fb5eda7e93b33aec50cfa8";
    /// The safety number of `FINGERPRINT_A` and `FINGERPRINT_B` (in either order).
    pub const SAFETY_NUMBER: &str = "58213 37100 21023";
}

fn frozen_keys() -> RoomKeys {
    let room = RoomName::parse(stube_v2::ROOM_TYPED).expect("a valid room name");
    derive_room_keys(stube_v2::PASSPHRASE, &room).expect("derives")
}

fn peer(id: u64) -> PeerId {
    PeerId(id)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn key_schedule_matches_frozen_stube_v2_vectors() {
    let room = RoomName::parse(stube_v2::ROOM_TYPED).expect("a valid room name");
    assert_eq!(room.as_str(), stube_v2::ROOM_NAME);
    assert_eq!(hex(&argon2_salt(&room)), stube_v2::ARGON2_SALT);
    let keys = frozen_keys();
    assert_eq!(keys.room_id().as_str(), stube_v2::ROOM_ID);
    assert_eq!(hex(keys.signal().expose()), stube_v2::SIGNAL_KEY);
    assert_eq!(hex(keys.chat().expose()), stube_v2::CHAT_KEY);
    assert_eq!(hex(keys.media().expose()), stube_v2::MEDIA_KEY);
    assert_eq!(hex(keys.safety().expose()), stube_v2::SAFETY_KEY);
    assert_eq!(keys.admission_token(), stube_v2::ADMISSION_TOKEN);
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
    let room = RoomName::parse(stube_v2::ROOM_NAME).expect("a valid room name");
    let root = argon2id(
        &KDF_V1,
        stube_v2::PASSPHRASE.as_bytes(),
        &argon2_salt(&room),
    )
    .expect("derives");
    let signal: Key<crate::keys::Signal> = Key::from_bytes(hkdf(
        crate::keys::KEY_SCHEDULE_SALT,
        root.expose(),
        crate::keys::SIGNAL_KEY_LABEL,
    ));
    assert_eq!(hex(signal.expose()), stube_v2::SIGNAL_KEY);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn commitments_match_frozen_stube_v2_vectors() {
    for (fingerprint, commitment) in [
        (stube_v2::FINGERPRINT_A, stube_v2::COMMITMENT_A),
        (stube_v2::FINGERPRINT_B, stube_v2::COMMITMENT_B),
    ] {
        let committed = dtls_commitment(fingerprint).expect("a valid fingerprint");
        assert_eq!(committed.to_hex(), commitment);
        let messy = format!(
            "  a=fingerprint:SHA-256 {}",
            &fingerprint[8..].to_lowercase()
        );
        assert_eq!(dtls_commitment(&messy), Ok(committed), "normalised first");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sealed_hello_matches_frozen_stube_v2_vector() {
    let keys = frozen_keys();
    let nonce = Nonce::from_bytes(unhex(stube_v2::HELLO_NONCE).try_into().expect("12 bytes"));
    let (alice, bob) = (peer(stube_v2::ALICE), peer(stube_v2::BOB));
    let envelope = seal_hello_with_nonce(
        keys.signal(),
        keys.room_id(),
        alice,
        bob,
        stube_v2::HELLO_A,
        nonce,
    )
    .expect("seals");
    assert_eq!(hex(&envelope), stube_v2::HELLO_ENVELOPE);
    let opened = open_hello(
        keys.signal(),
        keys.room_id(),
        alice,
        bob,
        &unhex(stube_v2::HELLO_ENVELOPE),
    )
    .expect("opens");
    assert_eq!(opened, stube_v2::HELLO_A);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn pair_keys_and_sealed_pair_message_match_frozen_stube_v2_vectors() {
    let keys = frozen_keys();
    let (hello_a, hello_b) = (stube_v2::HELLO_A, stube_v2::HELLO_B);
    assert_eq!(
        hex(&pair_key(keys.signal(), hello_a, hello_b)),
        stube_v2::PAIR_KEY_A_TO_B
    );
    assert_eq!(
        hex(&pair_key(keys.signal(), hello_b, hello_a)),
        stube_v2::PAIR_KEY_B_TO_A
    );
    let (alice, bob) = (peer(stube_v2::ALICE), peer(stube_v2::BOB));
    let room = keys.room_id().clone();
    let mut sender = PairChannel::new(keys.signal(), room.clone(), alice, bob, hello_a, hello_b)
        .expect("two hellos");
    let nonce = Nonce::from_bytes(unhex(stube_v2::PAIR_NONCE).try_into().expect("12 bytes"));
    let envelope = sender
        .seal_with_nonce(stube_v2::PAIR_KIND, stube_v2::PAIR_PLAINTEXT, nonce)
        .expect("seals");
    assert_eq!(hex(&envelope), stube_v2::PAIR_ENVELOPE);
    let mut receiver =
        PairChannel::new(keys.signal(), room, bob, alice, hello_b, hello_a).expect("two hellos");
    let opened = receiver
        .open(&unhex(stube_v2::PAIR_ENVELOPE))
        .expect("opens");
    assert_eq!(
        (opened.kind, opened.plaintext.as_slice()),
        (stube_v2::PAIR_KIND, stube_v2::PAIR_PLAINTEXT)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn padding_matches_frozen_stube_v2_buckets() {
    for (len, padded) in stube_v2::PADDED_LENGTHS {
        assert_eq!(padded_len(len, 0), padded, "plaintext of {len} bytes");
        let plaintext = vec![0xa5; len];
        let bytes = pad(&plaintext, 0);
        assert_eq!(bytes.len(), padded);
        assert_eq!(bytes[len], 0x80);
        assert!(bytes[len + 1..].iter().all(|&b| b == 0));
        assert_eq!(unpad(&bytes, 0), Ok(plaintext.as_slice()));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn stream_frame_and_safety_number_match_frozen_stube_v2_vectors() {
    let keys = frozen_keys();
    let id = StreamId::from_bytes([0x5a; 16]);
    let mut sealer = StreamSealer::with_id(keys.chat(), keys.room_id(), id);
    let frame = sealer.seal(1, stube_v2::STREAM_PLAINTEXT).expect("seals");
    assert_eq!(hex(&frame), stube_v2::STREAM_FRAME);
    let mut opener = StreamOpener::new(keys.chat(), keys.room_id(), id);
    assert_eq!(
        opener.open(&frame).expect("opens").plaintext,
        stube_v2::STREAM_PLAINTEXT
    );

    let (a, b) = (stube_v2::FINGERPRINT_A, stube_v2::FINGERPRINT_B);
    let number = safety_number(keys.safety(), a, b).expect("valid fingerprints");
    assert_eq!(number.to_string(), stube_v2::SAFETY_NUMBER);
    assert_eq!(safety_number(keys.safety(), b, a), Ok(number));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn pair_channel_refuses_to_wrap_its_sequence_number() {
    let keys = frozen_keys();
    let room = keys.room_id().clone();
    let (a, b) = (stube_v2::HELLO_A, stube_v2::HELLO_B);
    let mut sender =
        PairChannel::new(keys.signal(), room, peer(1), peer(2), a, b).expect("two hellos");
    sender.set_next_seq(u64::MAX - 1);
    assert!(
        sender.seal(2, b"last").is_ok(),
        "seq 2^64 - 2 is the last one"
    );
    assert_eq!(sender.seal(2, b"wraps"), Err(crate::SealError::Exhausted));
    assert_eq!(
        sender.seal(2, b"still refused"),
        Err(crate::SealError::Exhausted)
    );
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
