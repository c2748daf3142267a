//! Loopback source addresses for client sockets. The whole of 127.0.0.0/8 reaches the server, so
//! each kind of client gets its own range, no address carries more than [`PER_ADDRESS`]
//! connections (below the server's per-address cap), and ephemeral ports never run out.

use std::net::{IpAddr, Ipv4Addr};

/// Connections put on one source address.
pub const PER_ADDRESS: usize = 32;

/// Which kind of client a connection is; each has its own range of addresses (its own /16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Idle,
    Pairs,
    Churn,
    /// One abuse case: each gets its own /24, since the abuse server keeps its per-network caps.
    Abuse(u8),
}

impl Role {
    fn second_octet(self) -> u8 {
        match self {
            Self::Idle => 10,
            Self::Pairs => 20,
            Self::Churn => 30,
            Self::Abuse(case) => 40_u8.saturating_add(case),
        }
    }
}

/// The address of connection `index` of this role: `PER_ADDRESS` consecutive connections share
/// one address, `127.<role>.<x>.<y>`.
pub fn source(role: Role, index: usize) -> IpAddr {
    let slot = index / PER_ADDRESS;
    let third = u8::try_from(slot / 250).unwrap_or(u8::MAX);
    let fourth = u8::try_from(slot % 250 + 1).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, role.second_octet(), third, fourth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_connections_share_an_address_up_to_the_cap() {
        assert_eq!(source(Role::Idle, 0), source(Role::Idle, PER_ADDRESS - 1));
        assert_ne!(source(Role::Idle, 0), source(Role::Idle, PER_ADDRESS));
        assert_eq!(
            source(Role::Idle, 250 * PER_ADDRESS),
            IpAddr::V4(Ipv4Addr::new(127, 10, 1, 1))
        );
        assert_ne!(source(Role::Abuse(0), 0), source(Role::Abuse(1), 0));
    }
}
