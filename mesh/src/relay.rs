//! "Hide my IP address": whether the connections go through the operator's TURN relay only, what
//! the pre-join page offers, and what to tell the user when a connection cannot be made.
//!
//! The browser learns what the server offers from its `welcome` (the ICE servers and the
//! `relay_only` flag), so only after joining; the pre-join page shows what the last welcome of
//! this page said, and the choice itself takes effect at join.

/// What the server's welcome offers for relaying media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayOffer {
    /// No TURN server: connections are direct or nothing.
    None,
    /// A TURN server, used as the user chooses.
    Available,
    /// The operator requires every connection to go through the TURN server (`--relay-only`).
    Required,
}

impl RelayOffer {
    /// From a welcome: whether any ICE server URL is `turn:` or `turns:`, and its `relay_only`.
    pub fn of_welcome<'a>(urls: impl IntoIterator<Item = &'a str>, relay_only: bool) -> Self {
        let turn = urls
            .into_iter()
            .any(|url| url.starts_with("turn:") || url.starts_with("turns:"));
        match (turn, relay_only) {
            (true, true) => Self::Required,
            (true, false) => Self::Available,
            // A server without TURN cannot require relaying (it refuses to start so).
            (false, _) => Self::None,
        }
    }

    /// Whether connections use relay candidates only (`iceTransportPolicy: "relay"`), given
    /// whether the user asked to hide their IP address. Without a relay, a user who asked still
    /// gets relay-only connections: they connect to nobody rather than reveal the address they
    /// asked to hide (the meeting says so, see [`hidden_without_relay`]).
    pub fn relay_policy(self, hide_ip: bool) -> bool {
        match self {
            Self::Required => true,
            Self::Available | Self::None => hide_ip,
        }
    }
}

/// Whether the user asked to hide their IP address on a server that offers no relay: then no
/// connection can be made, and the meeting says why.
pub fn hidden_without_relay(offer: RelayOffer, hide_ip: bool) -> bool {
    offer == RelayOffer::None && hide_ip
}

/// The "Hide my IP address" checkbox on the pre-join page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HideIpChoice {
    pub checked: bool,
    pub enabled: bool,
    pub note: Option<HideIpNote>,
}

/// Why the checkbox cannot be changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HideIpNote {
    /// The operator relays everything: checked and disabled.
    OperatorRequires,
    /// The server has no relay: unchecked and disabled (joining connects directly).
    NoRelay,
}

/// The checkbox for the user's remembered choice `wanted`, given what the last welcome of this
/// page offered (`None` before the first join: then the choice is free and takes effect at join).
pub fn hide_ip_choice(offer: Option<RelayOffer>, wanted: bool) -> HideIpChoice {
    match offer {
        Some(RelayOffer::Required) => HideIpChoice {
            checked: true,
            enabled: false,
            note: Some(HideIpNote::OperatorRequires),
        },
        Some(RelayOffer::None) => HideIpChoice {
            checked: false,
            enabled: false,
            note: Some(HideIpNote::NoRelay),
        },
        Some(RelayOffer::Available) | None => HideIpChoice {
            checked: wanted,
            enabled: true,
            note: None,
        },
    }
}

/// Why a connection to a peer could not be made, in words the user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionProblem {
    /// No relay is configured and the network let no direct connection through: the operator
    /// can add a TURN server.
    DirectBlocked,
    /// Relaying was needed and failed: the operator's TURN server could not be reached or
    /// refused (wrong credentials, say).
    RelayFailed,
    /// The user asked to hide their IP address and the server has no relay.
    NoRelayToHide,
}

/// What the browser reported about a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceOutcome {
    /// ICE failed: no candidate pair worked.
    Failed,
    /// Candidate gathering ended without a single relay candidate: the TURN server did not
    /// answer, or refused our credentials.
    GatheredNoRelay,
}

/// Which problem `outcome` shows, for connections set up with `relay_policy` on a server that
/// offers `offer`; `None` if it is not one (gathering without relay candidates matters only when
/// relay candidates are all a connection may use).
pub fn diagnose(
    offer: RelayOffer,
    relay_policy: bool,
    outcome: IceOutcome,
) -> Option<ConnectionProblem> {
    match (offer, relay_policy, outcome) {
        (RelayOffer::None, true, _) => Some(ConnectionProblem::NoRelayToHide),
        (RelayOffer::None, false, IceOutcome::Failed) => Some(ConnectionProblem::DirectBlocked),
        (RelayOffer::None, false, IceOutcome::GatheredNoRelay) => None,
        (_, true, _) | (_, false, IceOutcome::Failed) => Some(ConnectionProblem::RelayFailed),
        (_, false, IceOutcome::GatheredNoRelay) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_says_what_is_offered() {
        let turn = ["stun:a:3478", "turn:a:3478?transport=udp"];
        assert_eq!(RelayOffer::of_welcome(turn, false), RelayOffer::Available);
        assert_eq!(RelayOffer::of_welcome(turn, true), RelayOffer::Required);
        assert_eq!(
            RelayOffer::of_welcome(["turns:a"], true),
            RelayOffer::Required
        );
        assert_eq!(RelayOffer::of_welcome(["stun:a"], false), RelayOffer::None);
        assert_eq!(RelayOffer::of_welcome([], false), RelayOffer::None);
    }

    #[test]
    fn relay_only_when_required_or_asked() {
        assert!(RelayOffer::Required.relay_policy(false));
        assert!(RelayOffer::Available.relay_policy(true));
        assert!(!RelayOffer::Available.relay_policy(false));
        // Never a direct connection for someone who asked to hide their address.
        assert!(RelayOffer::None.relay_policy(true));
        assert!(hidden_without_relay(RelayOffer::None, true));
        assert!(!hidden_without_relay(RelayOffer::Available, true));
        assert!(!hidden_without_relay(RelayOffer::None, false));
    }

    #[test]
    fn the_checkbox_follows_the_last_welcome() {
        let free = |checked| HideIpChoice {
            checked,
            enabled: true,
            note: None,
        };
        assert_eq!(hide_ip_choice(None, false), free(false));
        assert_eq!(hide_ip_choice(None, true), free(true));
        assert_eq!(
            hide_ip_choice(Some(RelayOffer::Available), true),
            free(true)
        );
        for wanted in [false, true] {
            let required = hide_ip_choice(Some(RelayOffer::Required), wanted);
            assert_eq!(
                (required.checked, required.enabled, required.note),
                (true, false, Some(HideIpNote::OperatorRequires))
            );
            let none = hide_ip_choice(Some(RelayOffer::None), wanted);
            assert_eq!(
                (none.checked, none.enabled, none.note),
                (false, false, Some(HideIpNote::NoRelay))
            );
        }
    }

    #[test]
    fn a_failure_names_the_relay_once_one_is_configured() {
        use ConnectionProblem::*;
        use IceOutcome::*;
        let cases = [
            (RelayOffer::None, false, Failed, Some(DirectBlocked)),
            (RelayOffer::None, false, GatheredNoRelay, None),
            (RelayOffer::None, true, Failed, Some(NoRelayToHide)),
            (RelayOffer::None, true, GatheredNoRelay, Some(NoRelayToHide)),
            (RelayOffer::Available, false, Failed, Some(RelayFailed)),
            // Direct connections may still work without the relay.
            (RelayOffer::Available, false, GatheredNoRelay, None),
            (
                RelayOffer::Available,
                true,
                GatheredNoRelay,
                Some(RelayFailed),
            ),
            (RelayOffer::Required, true, Failed, Some(RelayFailed)),
            (
                RelayOffer::Required,
                true,
                GatheredNoRelay,
                Some(RelayFailed),
            ),
        ];
        for (offer, relay_policy, outcome, expected) in cases {
            assert_eq!(
                diagnose(offer, relay_policy, outcome),
                expected,
                "{offer:?}, relay policy {relay_policy}, {outcome:?}"
            );
        }
    }
}
