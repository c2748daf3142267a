//! How a connection reaches the peer, as "Connection details" names it: directly, or through a
//! TURN relay (the operator's server then carries the encrypted media and the two participants do
//! not learn each other's address).

/// The path of a connection's selected ICE candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Direct,
    Relayed,
}

impl Route {
    /// From the candidate types (`host`, `srflx`, `prflx`, `relay`) of the selected pair's local
    /// and remote candidate: relayed if either end is a relay.
    pub fn of_candidates(local: &str, remote: &str) -> Self {
        if local == "relay" || remote == "relay" {
            Self::Relayed
        } else {
            Self::Direct
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Route;

    #[test]
    fn a_relay_at_either_end_makes_the_route_relayed() {
        assert_eq!(Route::of_candidates("host", "host"), Route::Direct);
        assert_eq!(Route::of_candidates("srflx", "prflx"), Route::Direct);
        assert_eq!(Route::of_candidates("relay", "host"), Route::Relayed);
        assert_eq!(Route::of_candidates("host", "relay"), Route::Relayed);
    }
}
