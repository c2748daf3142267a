use crypto::{FingerprintError, safety_number};

use crate::{keys, other_keys};

const OURS: &str = "sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
const THEIRS: &str = "sha-256 10:32:54:76:98:BA:DC:FE:10:32:54:76:98:BA:DC:FE:10:32:54:76:98:BA:DC:FE:10:32:54:76:98:BA:DC:FE";

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn both_sides_get_the_same_safety_number_in_three_groups_of_five_digits() {
    let alice = safety_number(keys().safety(), OURS, THEIRS).expect("valid");
    let bob = safety_number(keys().safety(), THEIRS, OURS).expect("valid");
    assert_eq!(alice, bob);
    let shown = alice.to_string();
    let groups: Vec<&str> = shown.split(' ').collect();
    assert_eq!(groups.len(), 3, "{shown}");
    assert!(
        groups
            .iter()
            .all(|g| g.len() == 5 && g.bytes().all(|b| b.is_ascii_digit())),
        "{shown}"
    );
    assert_eq!(alice.digits(), groups.concat());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn fingerprint_case_and_whitespace_do_not_matter() {
    let messy = format!(
        "  a=fingerprint:SHA-256   {}\n",
        THEIRS.trim_start_matches("sha-256 ").to_lowercase()
    );
    assert_eq!(
        safety_number(keys().safety(), OURS, &messy),
        safety_number(keys().safety(), OURS, THEIRS)
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_swapped_certificate_or_another_passphrase_changes_the_safety_number() {
    let genuine = safety_number(keys().safety(), OURS, THEIRS).expect("valid");
    let mitm = THEIRS.replace("10:32", "10:33");
    assert_ne!(
        safety_number(keys().safety(), OURS, &mitm).expect("valid"),
        genuine
    );
    assert_ne!(
        safety_number(other_keys().safety(), OURS, THEIRS).expect("valid"),
        genuine
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn malformed_fingerprints_are_refused() {
    for bad in [
        "",
        "sha-256",
        "sha-256 ZZ:00",
        "sha-256 ABC:00",
        "sha-256 AB:CD extra",
        "sha-256 AB::CD",
        "sha/256 AB",
    ] {
        assert_eq!(
            safety_number(keys().safety(), OURS, bad),
            Err(FingerprintError),
            "{bad:?} accepted"
        );
    }
}
