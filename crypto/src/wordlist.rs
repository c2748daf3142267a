//! The passphrase word lists, read from text at run time so the browser app fetches them only when
//! it needs them (the start page's generator, the pre-join page's strength hint) instead of
//! carrying them in its first load. The lists Stube ships are in `crypto/wordlists/` (sources and
//! licences in its README): the EFF large list (English) and the German diceware list of the
//! `diceware` package, 7776 words each, all lowercase ASCII, no duplicates.

/// Words per list: 6^5, so each uniformly chosen word carries log2(7776) = 12.92 bits.
pub const WORDLIST_LEN: usize = 7776;

/// A language Stube ships a word list for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    German,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::German];

    /// The list's file name in `crypto/wordlists/` and under `/wordlists/` of the served app.
    pub fn file_name(self) -> &'static str {
        match self {
            Language::English => "en.txt",
            Language::German => "de.txt",
        }
    }
}

/// Why a text is not a word list a passphrase may be drawn from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WordListError {
    #[error("a word list needs {WORDLIST_LEN} words, this one has {0}")]
    Length(usize),
    #[error("the word {0:?} is not lowercase ASCII")]
    NotLowercaseAscii(String),
    #[error("the word {0:?} appears twice")]
    Duplicate(String),
}

/// [`WORDLIST_LEN`] distinct lowercase ASCII words, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordList {
    words: Vec<Box<str>>,
}

impl WordList {
    /// Reads one word per line (surrounding blanks and empty lines ignored) and checks that the
    /// result is a list a uniformly drawn word of carries log2(7776) bits.
    pub fn parse(text: &str) -> Result<Self, WordListError> {
        let words: Vec<Box<str>> = text
            .lines()
            .map(str::trim)
            .filter(|word| !word.is_empty())
            .map(Box::from)
            .collect();
        if words.len() != WORDLIST_LEN {
            return Err(WordListError::Length(words.len()));
        }
        if let Some(word) = words
            .iter()
            .find(|word| !word.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(WordListError::NotLowercaseAscii(word.to_string()));
        }
        let mut sorted: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(WordListError::Duplicate(pair[0].to_owned()));
        }
        Ok(Self { words })
    }

    /// The words, in file order.
    pub fn words(&self) -> &[Box<str>] {
        &self.words
    }

    /// Whether `word` (lowercase) is in the list.
    pub fn contains(&self, word: &str) -> bool {
        self.words.iter().any(|known| &**known == word)
    }
}
