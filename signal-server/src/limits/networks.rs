//! Which address and which networks a client counts against.
//!
//! One host usually has one IPv4 address but a whole IPv6 /64 to pick addresses from, so an address
//! is counted as itself (IPv4) or as its /64 (IPv6). A subscriber or a site usually has at most an
//! IPv4 /24, or an IPv6 /56 or /48, so those are its networks: IPv4 addresses count against their
//! /24, IPv6 addresses against their /56 and their /48. IPv4 mapped into IPv6 (`::ffff:a.b.c.d`,
//! as a dual-stack socket reports it) is IPv4.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What a [`Key`] counts: one address, or one network of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An IPv4 address, or an IPv6 /64.
    Address,
    /// An IPv4 /24.
    Ipv4Net24,
    /// An IPv6 /56.
    Ipv6Net56,
    /// An IPv6 /48.
    Ipv6Net48,
}

/// An address or network prefix, with the scope it is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub scope: Scope,
    /// The address with the bits beyond the scope's prefix cleared.
    prefix: IpAddr,
}

/// The key `ip` counts against as an address.
pub fn address_key(ip: IpAddr) -> Key {
    match unmapped(ip) {
        IpAddr::V4(v4) => Key {
            scope: Scope::Address,
            prefix: IpAddr::V4(v4),
        },
        IpAddr::V6(v6) => v6_key(Scope::Address, v6, 64),
    }
}

/// The keys of the networks `ip` belongs to, the narrowest first: an IPv4 /24; an IPv6 /56 and /48.
pub fn network_keys(ip: IpAddr) -> Vec<Key> {
    match unmapped(ip) {
        IpAddr::V4(v4) => vec![v4_key(Scope::Ipv4Net24, v4, 24)],
        IpAddr::V6(v6) => vec![
            v6_key(Scope::Ipv6Net56, v6, 56),
            v6_key(Scope::Ipv6Net48, v6, 48),
        ],
    }
}

/// The key of the widest network `ip` belongs to: its IPv4 /24 or its IPv6 /48.
pub fn widest_network_key(ip: IpAddr) -> Key {
    match unmapped(ip) {
        IpAddr::V4(v4) => v4_key(Scope::Ipv4Net24, v4, 24),
        IpAddr::V6(v6) => v6_key(Scope::Ipv6Net48, v6, 48),
    }
}

fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn v4_key(scope: Scope, ip: Ipv4Addr, bits: u32) -> Key {
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    Key {
        scope,
        prefix: IpAddr::V4(Ipv4Addr::from(ip.to_bits() & mask)),
    }
}

fn v6_key(scope: Scope, ip: Ipv6Addr, bits: u32) -> Key {
    let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
    Key {
        scope,
        prefix: IpAddr::V6(Ipv6Addr::from(ip.to_bits() & mask)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn ipv4_counts_as_itself_and_its_24() {
        let key = address_key(ip("192.0.2.77"));
        assert_eq!(key.scope, Scope::Address);
        assert_eq!(key.prefix, ip("192.0.2.77"));
        assert_eq!(
            network_keys(ip("192.0.2.77")),
            [Key {
                scope: Scope::Ipv4Net24,
                prefix: ip("192.0.2.0")
            }]
        );
        assert_eq!(
            widest_network_key(ip("192.0.2.77")),
            network_keys(ip("192.0.2.1"))[0]
        );
        assert_ne!(
            network_keys(ip("192.0.2.77")),
            network_keys(ip("192.0.3.77")),
            "another /24"
        );
    }

    #[test]
    fn mapped_ipv4_is_ipv4() {
        for text in ["::ffff:192.0.2.77", "::ffff:c000:24d"] {
            assert_eq!(
                address_key(ip(text)),
                address_key(ip("192.0.2.77")),
                "{text}"
            );
            assert_eq!(
                network_keys(ip(text)),
                network_keys(ip("192.0.2.1")),
                "{text}"
            );
            assert_eq!(
                widest_network_key(ip(text)),
                widest_network_key(ip("192.0.2.1"))
            );
        }
    }

    #[test]
    fn ipv6_counts_per_64_and_its_56_and_48() {
        let a = ip("2001:db8:aaaa:bb11:1:2:3:4");
        assert_eq!(address_key(a), address_key(ip("2001:db8:aaaa:bb11::ffff")));
        assert_ne!(address_key(a), address_key(ip("2001:db8:aaaa:bb12::1")));
        assert_eq!(
            network_keys(a),
            [
                Key {
                    scope: Scope::Ipv6Net56,
                    prefix: ip("2001:db8:aaaa:bb00::")
                },
                Key {
                    scope: Scope::Ipv6Net48,
                    prefix: ip("2001:db8:aaaa::")
                },
            ]
        );
        // Another /64 in the same /56: the same networks.
        assert_eq!(network_keys(a), network_keys(ip("2001:db8:aaaa:bbff::1")));
        // Another /56 in the same /48: a different /56, the same /48.
        let b = network_keys(ip("2001:db8:aaaa:cc00::1"));
        assert_ne!(network_keys(a)[0], b[0]);
        assert_eq!(network_keys(a)[1], b[1]);
        assert_eq!(widest_network_key(a), b[1]);
        // Another /48: nothing shared.
        let c = network_keys(ip("2001:db8:aaab:bb11::1"));
        assert!(network_keys(a).iter().all(|key| !c.contains(key)));
    }

    #[test]
    fn a_prefix_equal_in_bits_differs_across_scopes() {
        // 2001:db8:: is its own /56 and /48: counted separately in each.
        let keys = network_keys(ip("2001:db8::1"));
        assert_ne!(keys[0], keys[1]);
        assert_ne!(address_key(ip("2001:db8::1")), keys[0]);
    }
}
