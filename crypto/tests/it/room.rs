use crypto::room::{ROOM_NAME_ALPHABET, ROOM_NAME_GROUP_LEN, ROOM_NAME_GROUPS};
use crypto::{RoomName, RoomNameError, generate_room_name, room_id};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn generated_room_names_are_groups_from_the_unambiguous_alphabet_with_96_bits() {
    let bits =
        (ROOM_NAME_GROUPS * ROOM_NAME_GROUP_LEN) as f64 * (ROOM_NAME_ALPHABET.len() as f64).log2();
    assert!(bits >= 96.0, "generated room names carry {bits} bits");
    let mut names = std::collections::HashSet::new();
    for _ in 0..200 {
        let name = generate_room_name().expect("randomness");
        let groups: Vec<&str> = name.as_str().split('-').collect();
        assert_eq!(groups.len(), ROOM_NAME_GROUPS, "{name}");
        for group in &groups {
            assert_eq!(group.len(), ROOM_NAME_GROUP_LEN, "{name}");
            assert!(
                group.bytes().all(|b| ROOM_NAME_ALPHABET.contains(&b)),
                "{name}"
            );
        }
        assert_eq!(
            RoomName::parse(name.as_str()).as_ref(),
            Ok(&name),
            "a generated name parses to itself"
        );
        assert!(names.insert(name.clone()), "{name} generated twice");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn typed_room_names_are_trimmed_collapsed_lowercased_and_nfc() {
    let typed = RoomName::parse("  K7QM-2xhd \t Caf\u{0065}\u{0301} ").expect("valid");
    assert_eq!(typed.as_str(), "k7qm-2xhd caf\u{e9}");
    assert_eq!(RoomName::parse("k7qm-2xhd café"), Ok(typed));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn room_names_that_are_empty_too_long_or_contain_controls_are_refused() {
    assert_eq!(RoomName::parse(""), Err(RoomNameError::Empty));
    assert_eq!(RoomName::parse(" \t\n "), Err(RoomNameError::Empty));
    assert!(RoomName::parse(&"a".repeat(RoomName::MAX_CHARS)).is_ok());
    assert_eq!(
        RoomName::parse(&"a".repeat(RoomName::MAX_CHARS + 1)),
        Err(RoomNameError::TooLong)
    );
    assert_eq!(
        RoomName::parse("a\u{0}b"),
        Err(RoomNameError::ControlCharacter)
    );
    assert_eq!(
        RoomName::parse("a\u{7f}b"),
        Err(RoomNameError::ControlCharacter)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn room_id_is_a_domain_separated_hash_of_the_name_alone() {
    let name = RoomName::parse("stube testraum").expect("valid");
    // SHA-256("stube/v2/room-id" || "stube testraum"), computed independently with Python hashlib.
    assert_eq!(
        room_id(&name).as_str(),
        "3e16c86e4101f9c1061617e142f98d0a2e9eb73d807e8dd45379081307b92d03"
    );
    assert_eq!(
        room_id(&name),
        room_id(&RoomName::parse("Stube  Testraum").expect("valid"))
    );
    assert_ne!(
        room_id(&name),
        room_id(&RoomName::parse("stube testraum2").expect("valid"))
    );
    // The same room id, whatever passphrase people use: the id does not depend on it.
    assert_eq!(crate::keys().room_id(), crate::other_keys().room_id());
}
