//! Who runs this server, and what the app's privacy notice and imprint say about it:
//! `GET /operator.json`.
//!
//! The operator names themselves with flags (or environment variables); nothing is made up when
//! they do not: the fields are `null` and the app says that the operator has not provided them.
//! Beside them the JSON carries the facts of this configuration that the privacy notice must
//! state: the host names of the TURN servers (which see the addresses of relayed participants)
//! and whether every connection is relayed. Never a secret, a port or a credential.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::AppState;

// The person or organisation running this server, for the imprint and the privacy notice. (A
// plain comment: a doc comment here would replace the server's own `--help` description.)
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Operator (shown in the privacy notice and imprint)")]
pub struct Operator {
    /// Name of the person or organisation running this server (the controller under the GDPR),
    /// shown in the imprint and the privacy notice. Without it the pages say the operator has not
    /// provided their details.
    #[arg(long = "operator-name", env = "STUBE_OPERATOR_NAME")]
    pub name: Option<String>,

    /// Postal address of the operator, for the imprint and the privacy notice. Separate lines with
    /// `\n` in the value, or write several lines in the variable.
    #[arg(long = "operator-address", env = "STUBE_OPERATOR_ADDRESS")]
    pub address: Option<String>,

    /// How to reach the operator (email address, phone number), for the imprint and for requests
    /// under the GDPR.
    #[arg(long = "operator-contact", env = "STUBE_OPERATOR_CONTACT")]
    pub contact: Option<String>,

    /// The data protection officer, if the operator has one: name and how to reach them.
    #[arg(long = "privacy-officer", env = "STUBE_PRIVACY_OFFICER")]
    pub privacy_officer: Option<String>,
}

/// What `/operator.json` says, rendered once at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub name: Option<String>,
    /// Lines separated by `\n`.
    pub address: Option<String>,
    pub contact: Option<String>,
    pub privacy_officer: Option<String>,
    /// Host names of the configured `turn:` and `turns:` servers, each once.
    pub turn: Vec<String>,
    /// Whether browsers relay every connection through TURN (`--relay-only`).
    pub relay_only: bool,
}

impl Facts {
    /// The facts of this configuration: the operator's details cleaned up (blank ones are
    /// `None`), the TURN host names out of `ice_servers`.
    pub fn new(operator: &Operator, ice_servers: &[String], relay_only: bool) -> Self {
        let mut turn: Vec<String> = Vec::new();
        for host in ice_servers.iter().filter_map(|url| turn_host(url)) {
            if !turn.iter().any(|known| known.eq_ignore_ascii_case(host)) {
                turn.push(host.to_owned());
            }
        }
        Self {
            name: one_line(operator.name.as_deref()),
            address: lines(operator.address.as_deref()),
            contact: one_line(operator.contact.as_deref()),
            privacy_officer: one_line(operator.privacy_officer.as_deref()),
            turn,
            relay_only,
        }
    }
}

/// `/operator.json`, serialised once.
#[derive(Debug, Clone)]
pub struct OperatorJson(String);

impl OperatorJson {
    pub fn new(facts: &Facts) -> Self {
        // A struct of strings, a list and a bool always serialises.
        Self(serde_json::to_string(facts).unwrap_or_else(|_| "{}".to_owned()))
    }
}

/// `GET /operator.json`: revalidated on every load, so a changed configuration shows at once.
pub async fn handler(State(state): State<AppState>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-cache"),
        ],
        state.operator.0.clone(),
    )
        .into_response()
}

/// A value on one line, trimmed; `None` when blank.
fn one_line(value: Option<&str>) -> Option<String> {
    let value = value?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A value of several lines (real newlines or a literal `\n`), each trimmed, blank ones dropped,
/// joined by `\n`; `None` when nothing is left.
fn lines(value: Option<&str>) -> Option<String> {
    let value = value?.replace("\\n", "\n");
    let lines: Vec<&str> = value
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The host of a `turn:` or `turns:` URL (RFC 7065: `turn:host[:port][?transport=…]`, an IPv6
/// address in brackets); `None` for other URLs. A `user@` some write before the host is dropped.
fn turn_host(url: &str) -> Option<&str> {
    let url = url.trim();
    let rest = url
        .strip_prefix("turn:")
        .or_else(|| url.strip_prefix("turns:"))?;
    let rest = rest.split(['?', '/']).next().unwrap_or_default();
    let rest = rest.rsplit('@').next().unwrap_or_default();
    let host = if rest.starts_with('[') {
        rest.find(']').map_or(rest, |end| &rest[..=end])
    } else {
        rest.split(':').next().unwrap_or_default()
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn facts(args: &[&str]) -> serde_json::Value {
        let config = crate::Config::try_parse_from(["signal-server"].iter().chain(args))
            .expect("valid flags");
        let facts = Facts::new(&config.operator, &config.ice_server, config.relay_only);
        serde_json::from_str(&OperatorJson::new(&facts).0).expect("JSON")
    }

    #[test]
    fn without_flags_every_detail_is_null_and_nothing_is_relayed() {
        assert_eq!(
            facts(&[]),
            serde_json::json!({
                "name": null, "address": null, "contact": null, "privacy_officer": null,
                "turn": [], "relay_only": false,
            })
        );
    }

    #[test]
    fn the_operator_flags_fill_the_json_and_the_address_keeps_its_lines() {
        let json = facts(&[
            "--operator-name",
            " Verein Beispiel e. V. ",
            "--operator-address",
            "Hauptstraße 1\\n12345 Musterstadt\n Germany ",
            "--operator-contact",
            "kontakt@example.org",
            "--privacy-officer",
            "Dr. Daten, dsb@example.org",
        ]);
        assert_eq!(json["name"], "Verein Beispiel e. V.");
        assert_eq!(json["address"], "Hauptstraße 1\n12345 Musterstadt\nGermany");
        assert_eq!(json["contact"], "kontakt@example.org");
        assert_eq!(json["privacy_officer"], "Dr. Daten, dsb@example.org");
    }

    #[test]
    fn blank_details_count_as_not_provided() {
        let json = facts(&["--operator-name", "  ", "--operator-address", "\\n \n"]);
        assert_eq!(json["name"], serde_json::Value::Null);
        assert_eq!(json["address"], serde_json::Value::Null);
    }

    #[test]
    fn turn_hosts_are_named_once_without_ports_users_or_secrets() {
        let json = facts(&[
            "--ice-server",
            "stun:stun.example.org:3478",
            "--ice-server",
            "turn:turn.example.org:3478?transport=udp",
            "--ice-server",
            "turns:TURN.example.org:5349",
            "--ice-server",
            "turn:[2001:db8::1]:3478",
            "--ice-server",
            "turn:someone@relay.example.net",
            "--turn-secret",
            "hunter2",
            "--relay-only",
        ]);
        assert_eq!(
            json["turn"],
            serde_json::json!(["turn.example.org", "[2001:db8::1]", "relay.example.net"])
        );
        assert_eq!(json["relay_only"], true);
        let text = json.to_string();
        for secret in ["hunter2", "3478", "someone", "stun.example.org"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn urls_that_are_not_turn_name_no_host() {
        assert_eq!(turn_host("stun:a.example"), None);
        assert_eq!(turn_host("turn:"), None);
        assert_eq!(turn_host("http://turn.example"), None);
        assert_eq!(turn_host(" turns:a.example "), Some("a.example"));
    }
}
