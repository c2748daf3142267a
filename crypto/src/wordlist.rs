//! The word lists shipped in `crypto/wordlists/` (sources and licences in its README): the EFF large
//! list (English) and the German diceware list of the `diceware` package, 7776 words each, all
//! lowercase ASCII, no duplicates.

use std::sync::OnceLock;

/// Words per list: 6^5, so each uniformly chosen word carries log2(7776) = 12.92 bits.
pub const WORDLIST_LEN: usize = 7776;

const ENGLISH: &str = include_str!("../wordlists/en.txt");
const GERMAN: &str = include_str!("../wordlists/de.txt");

/// A language Stube ships a word list for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    German,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    /// The words of this language's list, in file order.
    pub fn words(self) -> &'static [&'static str] {
        static ENGLISH_WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
        static GERMAN_WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
        let (cell, text) = match self {
            Language::English => (&ENGLISH_WORDS, ENGLISH),
            Language::German => (&GERMAN_WORDS, GERMAN),
        };
        cell.get_or_init(|| {
            text.lines()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .collect()
        })
    }

    /// Whether `word` (lowercase) is in this language's list.
    pub fn contains(self, word: &str) -> bool {
        self.words().contains(&word)
    }
}
