//! Counting WebSocket connections, in total and per client address.
//!
//! A [`ConnectionPermit`] is taken before the upgrade and held for the connection's lifetime; its
//! `Drop` gives the slot back, whichever way the connection ends. IPv6 clients are counted per /64
//! network, since one host usually has a whole /64 to pick addresses from.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Open connections, in total and per address.
#[derive(Debug)]
pub struct ConnectionLimiter {
    max_total: usize,
    max_per_address: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// One counted connection; dropping it releases the slot.
#[derive(Debug)]
pub struct ConnectionPermit {
    limiter: Arc<ConnectionLimiter>,
    key: IpAddr,
}

/// Which limit refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitReached {
    #[error("the server holds the maximum number of connections")]
    Total,
    #[error("the address holds the maximum number of connections")]
    PerAddress,
}

impl ConnectionLimiter {
    pub fn new(max_total: usize, max_per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total,
            max_per_address,
            open: Mutex::new(Open::default()),
        })
    }

    /// A permit for one more connection from `ip`, unless the server or `ip` already has the
    /// maximum.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Result<ConnectionPermit, LimitReached> {
        let key = counting_key(ip);
        let mut open = self.lock();
        if open.total >= self.max_total {
            return Err(LimitReached::Total);
        }
        let count = open.per_address.entry(key).or_insert(0);
        if *count >= self.max_per_address {
            return Err(LimitReached::PerAddress);
        }
        *count += 1;
        open.total += 1;
        Ok(ConnectionPermit {
            limiter: Arc::clone(self),
            key,
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
        if let Some(count) = open.per_address.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.per_address.remove(&self.key);
            }
            open.total = open.total.saturating_sub(1);
        }
    }
}

/// IPv4 (also when mapped into IPv6) as is; other IPv6 addresses reduced to their /64 network.
fn counting_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn permits_are_counted_per_address_and_released_on_drop() {
        let limiter = ConnectionLimiter::new(100, 2);
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
        let limiter = ConnectionLimiter::new(2, 2);
        let first = limiter.try_acquire(ip("192.0.2.1")).expect("first");
        let _second = limiter.try_acquire(ip("192.0.2.2")).expect("second");
        assert_eq!(
            limiter.try_acquire(ip("192.0.2.3")).err(),
            Some(LimitReached::Total)
        );
        assert_eq!(limiter.total(), 2);
        drop(first);
        assert_eq!(limiter.total(), 1);
        assert!(limiter.try_acquire(ip("192.0.2.3")).is_ok());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let limiter = ConnectionLimiter::new(100, 1);
        let _one = limiter.try_acquire(ip("2001:db8::1")).expect("first");
        assert!(limiter.try_acquire(ip("2001:db8::2")).is_err());
        let _v4 = limiter.try_acquire(ip("192.0.2.1")).expect("v4");
        assert!(limiter.try_acquire(ip("::ffff:192.0.2.1")).is_err());
        assert_eq!(limiter.total(), 2);
    }
}
