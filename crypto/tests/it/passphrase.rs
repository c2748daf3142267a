use crypto::passphrase::{DEFAULT_WORDS, STRONG_BITS, WORD_SEPARATOR};
use crypto::{
    Language, Verdict, estimate_strength, generate_passphrase, generate_passphrase_words,
};

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn generated_passphrases_are_list_words_with_at_least_70_bits() {
    assert!(DEFAULT_WORDS as f64 * 7776f64.log2() >= 70.0);
    for language in Language::ALL {
        for _ in 0..20 {
            let passphrase = generate_passphrase(language).expect("randomness");
            let words: Vec<&str> = passphrase.split(WORD_SEPARATOR).collect();
            assert_eq!(words.len(), DEFAULT_WORDS, "{passphrase}");
            assert!(words.iter().all(|w| language.contains(w)), "{passphrase}");
            let strength = estimate_strength(&passphrase);
            assert!(
                strength.bits >= STRONG_BITS - 13.0,
                "{passphrase}: {strength:?}"
            );
        }
    }
    assert_eq!(
        generate_passphrase_words(Language::German, 3)
            .expect("randomness")
            .split('-')
            .count(),
        3
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn generated_words_are_spread_over_the_whole_list() {
    // 6000 draws from 7776 words: a biased or truncated index would show as few distinct words or
    // none from the last part of the list.
    let list = Language::English.words();
    let mut seen = std::collections::HashSet::new();
    let mut last_quarter = 0;
    for _ in 0..1000 {
        for word in generate_passphrase(Language::English)
            .expect("randomness")
            .split('-')
        {
            seen.insert(word.to_owned());
            let index = list.iter().position(|w| *w == word).expect("a list word");
            last_quarter += usize::from(index >= list.len() * 3 / 4);
        }
    }
    assert!(seen.len() > 3000, "only {} distinct words", seen.len());
    assert!(
        (1200..1800).contains(&last_quarter),
        "{last_quarter} of 6000 from the last quarter"
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strength_estimate_warns_about_weak_passphrases() {
    for weak in [
        "",
        "password",
        "Sommer2024!",
        "aaaaaaaaaaaaaaaaaaaa",
        "123456789012",
        "qwertz",
        "hallo welt",
    ] {
        let strength = estimate_strength(weak);
        assert_eq!(strength.verdict, Verdict::Weak, "{weak:?}: {strength:?}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strength_estimate_rates_word_passphrases_by_their_words() {
    let six = estimate_strength("abacus-abdomen-abdominal-abide-abiding-ability");
    assert!((six.bits - 6.0 * 7776f64.log2()).abs() < 1e-9, "{six:?}");
    assert_eq!(six.verdict, Verdict::Strong);
    let four = estimate_strength("Abacus Abdomen abdominal abide");
    assert_eq!(four.verdict, Verdict::Fair, "{four:?}");
    let repeated = estimate_strength("abacus abacus abacus abacus abacus abacus");
    assert_eq!(repeated.verdict, Verdict::Weak, "{repeated:?}");
    let german = estimate_strength("aalen abart abba aachen");
    assert!(german.bits > 3.0 * 12.9, "{german:?}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strength_estimate_credits_long_random_strings() {
    let random = estimate_strength("k8Jq2xVz9!LmR4#tWp7bNc3&");
    assert_eq!(random.verdict, Verdict::Strong, "{random:?}");
    let sequence = estimate_strength("abcdefghijklmnopqrstuvwxyz");
    assert_eq!(sequence.verdict, Verdict::Weak, "{sequence:?}");
}
