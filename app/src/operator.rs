//! Who runs this server, as its `/operator.json` says, for the privacy notice and the imprint;
//! and which of those two pages an address names. Plain types, tested natively.

use serde::Deserialize;

/// The operator's details and the facts of the server's configuration. A detail the operator
/// has not configured is `None`: the pages then say so and never fill in anything else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Operator {
    pub name: Option<String>,
    /// Lines separated by `\n`.
    pub address: Option<String>,
    pub contact: Option<String>,
    pub privacy_officer: Option<String>,
    /// Host names of the TURN servers browsers may relay through.
    #[serde(default)]
    pub turn: Vec<String>,
    /// Whether every connection is relayed through TURN.
    #[serde(default)]
    pub relay_only: bool,
}

impl Operator {
    /// Reads the server's `/operator.json`.
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Whether the operator has said who they are (any of name, address, contact).
    pub fn is_named(&self) -> bool {
        [&self.name, &self.address, &self.contact]
            .iter()
            .any(|detail| {
                detail
                    .as_deref()
                    .is_some_and(|text| !text.trim().is_empty())
            })
    }

    /// The postal address, one entry per line, blank lines left out.
    pub fn address_lines(&self) -> Vec<&str> {
        self.address
            .as_deref()
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    }

    /// The TURN hosts as one list for a sentence (`a.example, b.example`), or `None` if there
    /// are none.
    pub fn turn_hosts(&self) -> Option<String> {
        (!self.turn.is_empty()).then(|| self.turn.join(", "))
    }
}

/// The pages about the operator, each at a path of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegalPage {
    Privacy,
    Imprint,
}

impl LegalPage {
    /// The page at `path` (the German names too, with or without a trailing slash), if any.
    pub fn at(path: &str) -> Option<Self> {
        match path.trim_end_matches('/').to_ascii_lowercase().as_str() {
            "/privacy" | "/datenschutz" => Some(Self::Privacy),
            "/imprint" | "/impressum" => Some(Self::Imprint),
            _ => None,
        }
    }

    /// Where the page lives.
    pub fn path(self) -> &'static str {
        match self {
            Self::Privacy => "/privacy",
            Self::Imprint => "/imprint",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_json_is_read_with_nulls_as_not_provided() {
        let full = Operator::parse(
            r#"{"name":"Verein Beispiel e. V.","address":"Hauptstraße 1\n\n 12345 Musterstadt ",
                "contact":"kontakt@example.org","privacy_officer":null,
                "turn":["turn.example.org","relay.example.net"],"relay_only":true}"#,
        )
        .expect("valid");
        assert!(full.is_named());
        assert_eq!(full.address_lines(), ["Hauptstraße 1", "12345 Musterstadt"]);
        assert_eq!(full.privacy_officer, None);
        assert_eq!(
            full.turn_hosts().as_deref(),
            Some("turn.example.org, relay.example.net")
        );
        assert!(full.relay_only);

        let empty = Operator::parse(
            r#"{"name":null,"address":null,"contact":null,"privacy_officer":null,"turn":[],"relay_only":false}"#,
        )
        .expect("valid");
        assert!(!empty.is_named());
        assert!(empty.address_lines().is_empty());
        assert_eq!(empty.turn_hosts(), None);
        assert_eq!(empty, Operator::default());
    }

    #[test]
    fn not_json_is_an_error() {
        assert!(Operator::parse("<!DOCTYPE html>").is_err());
    }

    #[test]
    fn the_pages_have_english_and_german_paths() {
        assert_eq!(LegalPage::at("/privacy"), Some(LegalPage::Privacy));
        assert_eq!(LegalPage::at("/Datenschutz/"), Some(LegalPage::Privacy));
        assert_eq!(LegalPage::at("/imprint"), Some(LegalPage::Imprint));
        assert_eq!(LegalPage::at("/impressum"), Some(LegalPage::Imprint));
        assert_eq!(LegalPage::at("/"), None);
        assert_eq!(LegalPage::at("/privacy/more"), None);
        for page in [LegalPage::Privacy, LegalPage::Imprint] {
            assert_eq!(LegalPage::at(page.path()), Some(page));
        }
    }
}
