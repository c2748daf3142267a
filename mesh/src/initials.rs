//! The initials a camera-off tile shows in place of the picture: the first letter of the first
//! and of the last word of the name ("Ada Lovelace" → "AL", "grace" → "G"), upper-cased; a
//! nameless guest gets "?".

/// Up to two initials of `name`.
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().and_then(|word| word.chars().next());
    let last = words.last().and_then(|word| word.chars().next());
    // One letter per word even where upper-casing makes two ("ß" → "SS").
    let letters: String = first
        .into_iter()
        .chain(last)
        .filter_map(|letter| letter.to_uppercase().next())
        .collect();
    if letters.is_empty() {
        "?".to_owned()
    } else {
        letters
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_are_the_first_letters_of_the_first_and_last_word() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("Katherine G. Johnson"), "KJ");
        assert_eq!(initials("  grace  "), "G");
        assert_eq!(initials("éva ßauer"), "ÉS");
        assert_eq!(initials(""), "?");
        assert_eq!(initials("   "), "?");
    }
}
