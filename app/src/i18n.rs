//! The app's words in English and German: the language the user chose with the switch, else the
//! browser's.
//!
//! The texts live in `locales/en.json` and `locales/de.json`. `build.rs` makes them into the
//! generated [`Locale`] by leptos_i18n (and fails if a language lacks a text): read one with
//! `td_string!(locale, key)`, a key that does not exist or an argument that does not fit is a
//! compile error, and a text with a `count` takes the language's CLDR plural form. Accessible
//! names named by issues are kept word for word in English.

/// What leptos_i18n generated: it also brings a context and macros the app does not use, as it
/// keeps the language shown itself (`ui/language.rs`).
#[allow(unused_imports, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}

pub use generated::i18n::Locale;
use leptos_i18n::{Locale as _, td_string};

/// Every language the app speaks, in the order the switch offers them.
pub const LANGUAGES: [Locale; 2] = [Locale::en, Locale::de];

/// The language whose code is exactly `code` ("en" or "de"), as the switch and the remembered
/// choice name it; anything else is no choice.
pub fn by_code(code: &str) -> Option<Locale> {
    LANGUAGES.into_iter().find(|locale| locale.as_str() == code)
}

/// German for browsers that prefer German, English otherwise.
pub fn for_language(language: &str) -> Locale {
    if language.to_ascii_lowercase().starts_with("de") {
        Locale::de
    } else {
        Locale::en
    }
}

/// The name someone gave, or "Guest" if they gave none. Names are kept as given and put into
/// words only when shown, so that a language switch reaches them too.
pub fn person(locale: Locale, name: &str) -> String {
    if name.is_empty() {
        td_string!(locale, guest).to_owned()
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_browsers_get_german_and_everyone_else_english() {
        assert_eq!(for_language("de-AT"), Locale::de);
        assert_eq!(for_language("DE"), Locale::de);
        assert_eq!(for_language("en-GB"), Locale::en);
        assert_eq!(for_language("fr"), Locale::en);
    }

    #[test]
    fn a_remembered_choice_is_only_an_exact_code_of_a_language_the_app_speaks() {
        assert_eq!(by_code("de"), Some(Locale::de));
        assert_eq!(by_code("en"), Some(Locale::en));
        for unknown in ["", "DE", "de-AT", "fr", " en"] {
            assert!(by_code(unknown).is_none(), "{unknown:?} is no choice");
        }
    }

    #[test]
    fn the_switch_names_each_language_in_itself() {
        let names: Vec<_> = LANGUAGES
            .iter()
            .map(|&locale| td_string!(locale, language_name))
            .collect();
        assert_eq!(names, ["English", "Deutsch"]);
    }

    #[test]
    fn names_fill_the_join_and_leave_toasts_and_a_nameless_person_is_a_guest() {
        let ada = person(Locale::en, "Ada");
        assert_eq!(td_string!(Locale::en, joined, name = ada), "Ada joined");
        let guest = person(Locale::de, "");
        assert_eq!(
            td_string!(Locale::de, left, name = guest),
            "Gast hat die Besprechung verlassen"
        );
    }

    #[test]
    fn counts_take_each_languages_plural_form() {
        let said = [
            (
                td_string!(Locale::en, dropped, count = 1_u64),
                "1 message could not be opened and was dropped.",
            ),
            (
                td_string!(Locale::en, dropped, count = 0_u64),
                "0 messages could not be opened and were dropped.",
            ),
            (
                td_string!(Locale::de, unread, count = 1_usize),
                "1 ungelesene Nachricht",
            ),
            (
                td_string!(Locale::de, unread, count = 3_usize),
                "3 ungelesene Nachrichten",
            ),
        ];
        for (text, expected) in said {
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn the_legal_pages_follow_the_language_and_name_the_turn_hosts() {
        assert_eq!(td_string!(Locale::en, legal.imprint), "Imprint");
        assert_eq!(td_string!(Locale::de, legal.imprint), "Impressum");
        assert_eq!(td_string!(Locale::de, legal.privacy), "Datenschutz");
        for locale in LANGUAGES {
            let hosts = "turn.example.org";
            assert!(
                td_string!(locale, legal.peers_relay_only, hosts).contains("(turn.example.org)")
            );
            assert!(
                td_string!(locale, legal.peers_turn_fallback, hosts).contains("(turn.example.org)")
            );
        }
    }
}
