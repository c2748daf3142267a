//! Generated passphrases and a lean strength estimate for typed ones.
//!
//! Generation: [`DEFAULT_WORDS`] words drawn uniformly (rejection sampling, no modulo bias) from a
//! 7776-word [`WordList`] with the system RNG, joined by `-`: 6 x 12.92 = 77.5 bits.
//!
//! Estimation ([`estimate_strength`]) is a heuristic meant for a warning, never a refusal, and
//! deliberately small (no zxcvbn-sized dictionaries in the wasm bundle). It is honest about
//! generated passphrases and rough for everything else:
//! - the text is split into tokens at whitespace and `- _ . , + /`;
//! - a token found (lowercased) in one of the lists given (the app gives the English and German
//!   ones once it has fetched them) counts log2(7776) = 12.9 bits, as if drawn at random from it
//!   (true for generated passphrases, generous for chosen ones); without lists every token counts
//!   by its characters, which rates list words at 2.5 bits a letter (about as much);
//! - a token seen before counts 1 bit;
//! - any other token is split into runs of letters, digits and other characters: a letter counts
//!   2.5 bits (a rough entropy of natural-language text, since typed letters are usually words; a
//!   random mixed-case run counts log2(52) = 5.7), a digit log2(10) = 3.3, any other character
//!   log2(33) = 5 bits; a character that repeats the one before or continues an ascending or
//!   descending sequence (`aaa`, `abc`, `321`) counts 1 bit.
//!
//! It does not know names, dates, keyboard walks or common passwords beyond that, so it overrates
//! those; it underrates random letter strings. Verdicts: below [`FAIR_BITS`] weak, below
//! [`STRONG_BITS`] fair, otherwise strong (as strong as a generated passphrase).

use unicode_normalization::UnicodeNormalization;

use crate::random::{RngError, index_below};
use crate::wordlist::{WORDLIST_LEN, WordList};

/// Words in a generated passphrase: 6 x log2(7776) = 77.5 bits.
pub const DEFAULT_WORDS: usize = 6;
/// What joins the words of a generated passphrase.
pub const WORD_SEPARATOR: char = '-';
/// Below this many estimated bits a passphrase is weak.
pub const FAIR_BITS: f64 = 45.0;
/// From this many estimated bits on a passphrase is strong.
pub const STRONG_BITS: f64 = 70.0;

/// A generated passphrase of [`DEFAULT_WORDS`] words from `list`.
pub fn generate_passphrase(list: &WordList) -> Result<String, RngError> {
    generate_passphrase_words(list, DEFAULT_WORDS)
}

/// A generated passphrase of `words` words from `list` (log2(7776) = 12.92 bits per word).
pub fn generate_passphrase_words(list: &WordList, words: usize) -> Result<String, RngError> {
    let list = list.words();
    let len = u32::try_from(list.len()).unwrap_or_else(|_| unreachable!("{WORDLIST_LEN} words"));
    let mut chosen = Vec::with_capacity(words);
    for _ in 0..words {
        chosen.push(&*list[index_below(len)? as usize]);
    }
    Ok(chosen.join(&WORD_SEPARATOR.to_string()))
}

/// What the UI says about a passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Weak,
    Fair,
    Strong,
}

/// An estimate of a passphrase's strength against offline guessing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    /// Estimated bits of entropy (see the module documentation for how).
    pub bits: f64,
    pub verdict: Verdict,
}

/// Estimates the strength of a typed passphrase, counting the words of `lists` as drawn from them
/// (see the module documentation for the heuristic).
pub fn estimate_strength(passphrase: &str, lists: &[&WordList]) -> Strength {
    let text: String = passphrase.trim().nfc().collect::<String>().to_lowercase();
    let original: String = passphrase.trim().nfc().collect();
    let word_bits = (WORDLIST_LEN as f64).log2();
    let mut seen: Vec<&str> = Vec::new();
    let mut bits = 0.0;
    for (token, original_token) in tokens(&text).zip(tokens(&original)) {
        if seen.contains(&token) {
            bits += 1.0;
            continue;
        }
        seen.push(token);
        bits += if lists.iter().any(|list| list.contains(token)) {
            word_bits
        } else {
            token_bits(original_token)
        };
    }
    let verdict = if bits < FAIR_BITS {
        Verdict::Weak
    } else if bits < STRONG_BITS {
        Verdict::Fair
    } else {
        Verdict::Strong
    };
    Strength { bits, verdict }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '_' | '.' | ',' | '+' | '/')
}

fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_separator).filter(|t| !t.is_empty())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if c.is_alphabetic() {
        Class::Letter
    } else if c.is_ascii_digit() {
        Class::Digit
    } else {
        Class::Other
    }
}

/// Bits of a token that is not a list word: the sum over its runs of one character class.
fn token_bits(token: &str) -> f64 {
    let chars: Vec<char> = token.chars().collect();
    chars
        .chunk_by(|a, b| class(*a) == class(*b))
        .map(run_bits)
        .sum()
}

fn run_bits(run: &[char]) -> f64 {
    let per_char = match run.first().map(|c| class(*c)) {
        Some(Class::Letter) => {
            // Mixed case beyond a leading capital suggests a random string rather than a word.
            let mixed = run.iter().skip(1).any(|c| c.is_uppercase())
                && run.iter().any(|c| c.is_lowercase());
            if mixed { 52f64.log2() } else { 2.5 }
        }
        Some(Class::Digit) => 10f64.log2(),
        Some(Class::Other) => 33f64.log2(),
        None => 0.0,
    };
    let mut bits = 0.0;
    for (i, &c) in run.iter().enumerate() {
        let predictable = i > 0 && {
            let step = i64::from(u32::from(c)) - i64::from(u32::from(run[i - 1]));
            let same_step_before = i < 2 || {
                let before = i64::from(u32::from(run[i - 1])) - i64::from(u32::from(run[i - 2]));
                before == step
            };
            step == 0 || (step.abs() == 1 && same_step_before)
        };
        bits += if predictable { 1.0 } else { per_char };
    }
    bits
}
