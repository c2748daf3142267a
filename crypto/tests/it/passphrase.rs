use crypto::passphrase::{DEFAULT_WORDS, STRONG_BITS, WORD_SEPARATOR};
use crypto::{
    Language, Verdict, WordList, WordListError, estimate_strength, generate_passphrase,
    generate_passphrase_words,
};

/// The list Stube ships for `language`, as the app fetches it (`crypto/wordlists/`).
fn shipped(language: Language) -> WordList {
    let text = match language {
        Language::English => include_str!("../../wordlists/en.txt"),
        Language::German => include_str!("../../wordlists/de.txt"),
    };
    WordList::parse(text).unwrap_or_else(|error| panic!("{language:?}: {error}"))
}

/// Both shipped lists, as the pre-join page passes them once loaded.
fn both() -> [WordList; 2] {
    Language::ALL.map(shipped)
}

fn estimate(passphrase: &str) -> crypto::Strength {
    let [english, german] = both();
    estimate_strength(passphrase, &[&english, &german])
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn the_shipped_lists_parse_and_bad_lists_are_refused() {
    for language in Language::ALL {
        assert_eq!(
            shipped(language).words().len(),
            crypto::wordlist::WORDLIST_LEN
        );
    }
    let numbered: String = (0..7776).map(|i| format!("w{i}\n")).collect();
    assert_eq!(
        WordList::parse(&numbered),
        Err(WordListError::NotLowercaseAscii("w0".into()))
    );
    assert_eq!(
        WordList::parse("apple\npear\n"),
        Err(WordListError::Length(2))
    );
    let english = include_str!("../../wordlists/en.txt");
    let first = english.lines().next().expect("a first word");
    let doubled = english.replacen(english.lines().nth(1).expect("a second word"), first, 1);
    assert_eq!(
        WordList::parse(&doubled),
        Err(WordListError::Duplicate(first.into()))
    );
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn generated_passphrases_are_list_words_with_at_least_70_bits() {
    assert!(DEFAULT_WORDS as f64 * 7776f64.log2() >= 70.0);
    for list in both() {
        for _ in 0..20 {
            let passphrase = generate_passphrase(&list).expect("randomness");
            let words: Vec<&str> = passphrase.split(WORD_SEPARATOR).collect();
            assert_eq!(words.len(), DEFAULT_WORDS, "{passphrase}");
            assert!(words.iter().all(|w| list.contains(w)), "{passphrase}");
            let strength = estimate(&passphrase);
            assert!(
                strength.bits >= STRONG_BITS - 13.0,
                "{passphrase}: {strength:?}"
            );
        }
    }
    assert_eq!(
        generate_passphrase_words(&shipped(Language::German), 3)
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
    let english = shipped(Language::English);
    let list = english.words();
    let mut seen = std::collections::HashSet::new();
    let mut last_quarter = 0;
    for _ in 0..1000 {
        for word in generate_passphrase(&english)
            .expect("randomness")
            .split('-')
        {
            seen.insert(word.to_owned());
            let index = list.iter().position(|w| &**w == word).expect("a list word");
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
        let strength = estimate(weak);
        assert_eq!(strength.verdict, Verdict::Weak, "{weak:?}: {strength:?}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strength_estimate_rates_word_passphrases_by_their_words() {
    let six = estimate("abacus-abdomen-abdominal-abide-abiding-ability");
    assert!((six.bits - 6.0 * 7776f64.log2()).abs() < 1e-9, "{six:?}");
    assert_eq!(six.verdict, Verdict::Strong);
    let four = estimate("Abacus Abdomen abdominal abide");
    assert_eq!(four.verdict, Verdict::Fair, "{four:?}");
    let repeated = estimate("abacus abacus abacus abacus abacus abacus");
    assert_eq!(repeated.verdict, Verdict::Weak, "{repeated:?}");
    let german = estimate("aalen abart abba aachen");
    assert!(german.bits > 3.0 * 12.9, "{german:?}");
    // Before the lists are loaded, words count by their letters: about as much, never Strong
    // for four words.
    let unlisted = estimate_strength("abacus abdomen abdominal abide", &[]);
    assert_eq!(unlisted.verdict, Verdict::Fair, "{unlisted:?}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn strength_estimate_credits_long_random_strings() {
    let random = estimate("k8Jq2xVz9!LmR4#tWp7bNc3&");
    assert_eq!(random.verdict, Verdict::Strong, "{random:?}");
    let sequence = estimate("abcdefghijklmnopqrstuvwxyz");
    assert_eq!(sequence.verdict, Verdict::Weak, "{sequence:?}");
}
