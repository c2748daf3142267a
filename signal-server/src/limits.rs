//! Counting WebSocket connections: in total, per client address, and per network.
//!
//! A [`ConnectionPermit`] is taken before the upgrade and held for the connection's lifetime; its
//! `Drop` gives the slots back, whichever way the connection ends. An address is an IPv4 address
//! or an IPv6 /64; its networks are its IPv4 /24, or its IPv6 /56 and /48 ([`networks`]). The
//! network caps keep one network from holding all connections (and so all rooms) of the server.
//! Join rates are limited separately ([`join_rate`]).

pub mod join_rate;
pub mod networks;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use self::networks::{Key, Scope, address_key, network_keys};

/// How many connections may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionCaps {
    pub total: usize,
    /// Per IPv4 address or IPv6 /64.
    pub per_address: usize,
    pub per_ipv4_24: usize,
    pub per_ipv6_56: usize,
    pub per_ipv6_48: usize,
}

impl ConnectionCaps {
    fn of(&self, scope: Scope) -> usize {
        match scope {
            Scope::Address => self.per_address,
            Scope::Ipv4Net24 => self.per_ipv4_24,
            Scope::Ipv6Net56 => self.per_ipv6_56,
            Scope::Ipv6Net48 => self.per_ipv6_48,
        }
    }
}

/// Open connections, in total, per address and per network.
#[derive(Debug)]
pub struct ConnectionLimiter {
    caps: ConnectionCaps,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    /// Only keys with at least one connection.
    per_key: HashMap<Key, usize>,
}

/// One counted connection; dropping it releases its slots.
#[derive(Debug)]
pub struct ConnectionPermit {
    limiter: Arc<ConnectionLimiter>,
    keys: Vec<Key>,
}

/// Which limit refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitReached {
    #[error("the server holds the maximum number of connections")]
    Total,
    #[error("the address holds the maximum number of connections")]
    PerAddress,
    #[error("the address's network holds the maximum number of connections")]
    PerNetwork,
}

impl ConnectionLimiter {
    pub fn new(caps: ConnectionCaps) -> Arc<Self> {
        Arc::new(Self {
            caps,
            open: Mutex::new(Open::default()),
        })
    }

    /// A permit for one more connection from `ip`, unless the server, `ip` or one of its networks
    /// already has the maximum.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Result<ConnectionPermit, LimitReached> {
        let mut keys = network_keys(ip);
        keys.insert(0, address_key(ip));
        let mut open = self.lock();
        if open.total >= self.caps.total {
            return Err(LimitReached::Total);
        }
        for key in &keys {
            let count = open.per_key.get(key).copied().unwrap_or(0);
            if count >= self.caps.of(key.scope) {
                return Err(match key.scope {
                    Scope::Address => LimitReached::PerAddress,
                    _ => LimitReached::PerNetwork,
                });
            }
        }
        for key in &keys {
            *open.per_key.entry(*key).or_insert(0) += 1;
        }
        open.total += 1;
        Ok(ConnectionPermit {
            limiter: Arc::clone(self),
            keys,
        })
    }

    /// Connections open in total.
    pub fn total(&self) -> usize {
        self.lock().total
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self.limiter.lock();
        for key in &self.keys {
            if let Some(count) = open.per_key.get_mut(key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.per_key.remove(key);
                }
            }
        }
        open.total = open.total.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    /// Caps that never refuse, but for the ones a test sets.
    fn caps(adjust: impl FnOnce(&mut ConnectionCaps)) -> ConnectionCaps {
        let mut caps = ConnectionCaps {
            total: 1000,
            per_address: 1000,
            per_ipv4_24: 1000,
            per_ipv6_56: 1000,
            per_ipv6_48: 1000,
        };
        adjust(&mut caps);
        caps
    }

    #[test]
    fn permits_are_counted_per_address_and_released_on_drop() {
        let limiter = ConnectionLimiter::new(caps(|caps| caps.per_address = 2));
        let a = ip("192.0.2.1");
        let first = limiter.try_acquire(a).expect("first");
        let _second = limiter.try_acquire(a).expect("second");
        assert_eq!(
            limiter.try_acquire(a).err(),
            Some(LimitReached::PerAddress),
            "a third from the same address"
        );
        assert!(limiter.try_acquire(ip("192.0.2.2")).is_ok());
        drop(first);
        assert!(limiter.try_acquire(a).is_ok(), "the slot came back");
    }

    #[test]
    fn the_total_is_limited_across_addresses_and_released_on_drop() {
        let limiter = ConnectionLimiter::new(caps(|caps| caps.total = 2));
        let first = limiter.try_acquire(ip("192.0.2.1")).expect("first");
        let _second = limiter.try_acquire(ip("198.51.100.2")).expect("second");
        assert_eq!(
            limiter.try_acquire(ip("203.0.113.3")).err(),
            Some(LimitReached::Total)
        );
        assert_eq!(limiter.total(), 2);
        drop(first);
        assert_eq!(limiter.total(), 1);
        assert!(limiter.try_acquire(ip("203.0.113.3")).is_ok());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let limiter = ConnectionLimiter::new(caps(|caps| caps.per_address = 1));
        let _one = limiter.try_acquire(ip("2001:db8::1")).expect("first");
        assert!(limiter.try_acquire(ip("2001:db8::2")).is_err());
        let _v4 = limiter.try_acquire(ip("192.0.2.1")).expect("v4");
        assert!(limiter.try_acquire(ip("::ffff:192.0.2.1")).is_err());
        assert_eq!(limiter.total(), 2);
    }

    #[test]
    fn an_ipv4_24_is_limited_across_its_addresses() {
        let limiter = ConnectionLimiter::new(caps(|caps| {
            caps.per_address = 2;
            caps.per_ipv4_24 = 3;
        }));
        let _a = limiter.try_acquire(ip("192.0.2.1")).expect("a");
        let _b = limiter.try_acquire(ip("192.0.2.1")).expect("b");
        let c = limiter.try_acquire(ip("192.0.2.2")).expect("c");
        for other in ["192.0.2.3", "::ffff:192.0.2.4"] {
            assert_eq!(
                limiter.try_acquire(ip(other)).err(),
                Some(LimitReached::PerNetwork),
                "{other}"
            );
        }
        let _elsewhere = limiter.try_acquire(ip("192.0.3.1")).expect("another /24");
        drop(c);
        assert!(limiter.try_acquire(ip("192.0.2.3")).is_ok(), "released");
    }

    #[test]
    fn an_ipv6_56_and_48_are_limited_across_their_64s() {
        let limiter = ConnectionLimiter::new(caps(|caps| {
            caps.per_ipv6_56 = 2;
            caps.per_ipv6_48 = 3;
        }));
        let _a = limiter.try_acquire(ip("2001:db8:1:100::1")).expect("a");
        let _b = limiter
            .try_acquire(ip("2001:db8:1:1ff::1"))
            .expect("b, same /56");
        assert_eq!(
            limiter.try_acquire(ip("2001:db8:1:150::1")).err(),
            Some(LimitReached::PerNetwork),
            "a third in the /56"
        );
        let c = limiter
            .try_acquire(ip("2001:db8:1:200::1"))
            .expect("another /56 in the /48");
        assert_eq!(
            limiter.try_acquire(ip("2001:db8:1:300::1")).err(),
            Some(LimitReached::PerNetwork),
            "a fourth in the /48"
        );
        let _d = limiter
            .try_acquire(ip("2001:db8:2::1"))
            .expect("another /48");
        drop(c);
        assert!(limiter.try_acquire(ip("2001:db8:1:300::1")).is_ok());
    }

    #[test]
    fn a_refusal_leaves_no_count_behind() {
        let limiter = ConnectionLimiter::new(caps(|caps| caps.per_ipv4_24 = 1));
        let first = limiter.try_acquire(ip("192.0.2.1")).expect("first");
        assert!(limiter.try_acquire(ip("192.0.2.2")).is_err());
        drop(first);
        assert_eq!(limiter.total(), 0);
        assert!(limiter.lock().per_key.is_empty());
    }
}
