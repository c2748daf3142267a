//! Counting WebSocket connections per client address.
//!
//! A [`ConnectionPermit`] is taken before the upgrade and held for the connection's lifetime; its
//! `Drop` gives the slot back, whichever way the connection ends. IPv6 clients are counted per /64
//! network, since one host usually has a whole /64 to pick addresses from.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Open connections per address.
#[derive(Debug)]
pub struct ConnectionLimiter {
    max_per_address: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One counted connection; dropping it releases the slot.
#[derive(Debug)]
pub struct ConnectionPermit {
    limiter: Arc<ConnectionLimiter>,
    key: IpAddr,
}

impl ConnectionLimiter {
    pub fn new(max_per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            max_per_address,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A permit for one more connection from `ip`, unless it already has the maximum.
    pub fn try_acquire(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionPermit> {
        let key = counting_key(ip);
        let mut open = self.lock();
        let count = open.entry(key).or_insert(0);
        if *count >= self.max_per_address {
            return None;
        }
        *count += 1;
        Some(ConnectionPermit {
            limiter: Arc::clone(self),
            key,
        })
    }

    /// Connections open in total.
    pub fn total(&self) -> usize {
        self.lock().values().sum()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self.limiter.lock();
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
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

    #[test]
    fn permits_are_counted_per_address_and_released_on_drop() {
        let limiter = ConnectionLimiter::new(2);
        let a: IpAddr = "192.0.2.1".parse().expect("ip");
        let first = limiter.try_acquire(a).expect("first");
        let _second = limiter.try_acquire(a).expect("second");
        assert!(
            limiter.try_acquire(a).is_none(),
            "a third from the same address"
        );
        assert!(
            limiter
                .try_acquire("192.0.2.2".parse().expect("ip"))
                .is_some()
        );
        drop(first);
        assert!(limiter.try_acquire(a).is_some(), "the slot came back");
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let limiter = ConnectionLimiter::new(1);
        let _one = limiter
            .try_acquire("2001:db8::1".parse().expect("ip"))
            .expect("first");
        assert!(
            limiter
                .try_acquire("2001:db8::2".parse().expect("ip"))
                .is_none()
        );
        let _v4 = limiter
            .try_acquire("192.0.2.1".parse().expect("ip"))
            .expect("v4");
        assert!(
            limiter
                .try_acquire("::ffff:192.0.2.1".parse().expect("ip"))
                .is_none()
        );
        assert_eq!(limiter.total(), 2);
    }
}
