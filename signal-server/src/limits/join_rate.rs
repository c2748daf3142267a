//! How often an address, and its network, may join a room.
//!
//! Two keyed GCRA rate limiters (`governor`): one per address (an IPv4 address or an IPv6 /64),
//! one per network (an IPv4 /24 or an IPv6 /48). Each allows a burst of its per-minute rate and
//! refills evenly over the minute; a join must pass both, the address first, so that one address
//! hammering away spends only its own share of its network's joins.
//!
//! Memory stays bounded. The limiters keep their state in a [`BoundedStore`] of at most
//! [`MAX_TRACKED`] keys each, and every [`PRUNE_EVERY`] checks forget the keys whose state is no
//! different from a fresh one (`retain_recent`: nobody joined from there for a minute or two). If a
//! store is still full of keys that joined recently (tens of thousands of networks at once), a key
//! it does not hold is judged as fresh and not stored: for newcomers the limit then fails open
//! rather than locking everybody out, and the connection caps still hold.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::StateStore;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::networks::{Key, address_key, widest_network_key};

/// Keys each limiter remembers at most (a few MiB).
pub const MAX_TRACKED: usize = 1 << 16;

/// Checks between two prunings of stale keys.
pub const PRUNE_EVERY: usize = 1024;

/// Checks between two prunings while a store is full.
const PRUNE_EVERY_WHEN_FULL: usize = 64;

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TooManyJoins {
    #[error("the address joined too often")]
    Address,
    #[error("the address's network joined too often")]
    Network,
}

type Limiter<C> = RateLimiter<Key, BoundedStore, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// Join rates per address and per network.
#[derive(Debug)]
pub struct JoinRateLimiter<C: Clock = DefaultClock> {
    per_address: Limiter<C>,
    per_network: Limiter<C>,
    checks: AtomicUsize,
}

impl JoinRateLimiter {
    /// Allows `per_address` joins a minute from one address and `per_network` from one network.
    pub fn new(per_address: NonZeroU32, per_network: NonZeroU32) -> Self {
        Self::with_clock(
            per_address,
            per_network,
            MAX_TRACKED,
            DefaultClock::default(),
        )
    }
}

impl<C: Clock + Clone> JoinRateLimiter<C> {
    fn with_clock(
        per_address: NonZeroU32,
        per_network: NonZeroU32,
        max_tracked: usize,
        clock: C,
    ) -> Self {
        let limiter = |per_minute| {
            RateLimiter::new(
                Quota::per_minute(per_minute),
                BoundedStore::new(max_tracked),
                clock.clone(),
            )
        };
        Self {
            per_address: limiter(per_address),
            per_network: limiter(per_network),
            checks: AtomicUsize::new(0),
        }
    }

    /// Counts one join from `ip`, unless its address or its network joined too often.
    pub fn check(&self, ip: IpAddr) -> Result<(), TooManyJoins> {
        self.housekeeping();
        self.per_address
            .check_key(&address_key(ip))
            .map_err(|_| TooManyJoins::Address)?;
        self.per_network
            .check_key(&widest_network_key(ip))
            .map_err(|_| TooManyJoins::Network)?;
        Ok(())
    }

    /// Forgets the keys whose state is the same as a fresh one.
    pub fn prune(&self) {
        for limiter in [&self.per_address, &self.per_network] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Keys remembered, per address and per network.
    #[cfg(test)]
    pub fn tracked(&self) -> (usize, usize) {
        (self.per_address.len(), self.per_network.len())
    }

    fn housekeeping(&self) {
        let checks = self.checks.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let full = || {
            [&self.per_address, &self.per_network]
                .iter()
                .any(|limiter| limiter.len() >= MAX_TRACKED)
        };
        if checks.is_multiple_of(PRUNE_EVERY)
            || (checks.is_multiple_of(PRUNE_EVERY_WHEN_FULL) && full())
        {
            self.prune();
        }
    }
}

/// A keyed state store of at most `max_keys` keys (the theoretical arrival time of the next join
/// per key, as `governor` keeps it). When full, a new key is measured as fresh and not stored.
#[derive(Debug)]
pub struct BoundedStore {
    max_keys: usize,
    states: Mutex<HashMap<Key, Nanos>>,
}

impl BoundedStore {
    fn new(max_keys: usize) -> Self {
        Self {
            max_keys,
            states: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Nanos>> {
        // Every operation leaves the map consistent, so a poisoned lock is usable.
        self.states.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl StateStore for BoundedStore {
    type Key = Key;

    fn measure_and_replace<T, F, E>(&self, key: &Key, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let mut states = self.lock();
        let (outcome, next) = f(states.get(key).copied())?;
        if states.len() < self.max_keys || states.contains_key(key) {
            states.insert(*key, next);
        }
        Ok(outcome)
    }
}

impl ShrinkableKeyedStateStore<Key> for BoundedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        self.lock().retain(|_, next| *next > drop_below);
    }

    fn shrink_to_fit(&self) {
        let mut states = self.lock();
        // Only when mostly empty: shrinking reallocates.
        if states.capacity() > 4 * states.len().max(64) {
            states.shrink_to_fit();
        }
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use governor::clock::FakeRelativeClock;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    fn per_minute(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("nonzero")
    }

    fn limiter(
        per_address: u32,
        per_network: u32,
        max_tracked: usize,
    ) -> (JoinRateLimiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let limiter = JoinRateLimiter::with_clock(
            per_minute(per_address),
            per_minute(per_network),
            max_tracked,
            clock.clone(),
        );
        (limiter, clock)
    }

    #[test]
    fn an_address_may_join_its_burst_then_refills_over_the_minute() {
        let (limiter, clock) = limiter(3, 100, MAX_TRACKED);
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(limiter.check(a), Ok(()));
        }
        assert_eq!(limiter.check(a), Err(TooManyJoins::Address));
        assert_eq!(limiter.check(ip("192.0.2.2")), Ok(()), "another address");
        clock.advance(Duration::from_secs(20));
        assert_eq!(limiter.check(a), Ok(()), "one join refilled after 20 s");
        assert_eq!(limiter.check(a), Err(TooManyJoins::Address));
    }

    #[test]
    fn a_network_is_limited_across_its_addresses() {
        let (limiter, _clock) = limiter(100, 3, MAX_TRACKED);
        for host in ["192.0.2.1", "192.0.2.2", "::ffff:192.0.2.3"] {
            assert_eq!(limiter.check(ip(host)), Ok(()), "{host}");
        }
        assert_eq!(limiter.check(ip("192.0.2.4")), Err(TooManyJoins::Network));
        assert_eq!(limiter.check(ip("192.0.3.1")), Ok(()), "another /24");
        // IPv6: per /48, across its /56s and /64s.
        for host in [
            "2001:db8:1:100::1",
            "2001:db8:1:200::1",
            "2001:db8:1:201::1",
        ] {
            assert_eq!(limiter.check(ip(host)), Ok(()), "{host}");
        }
        assert_eq!(
            limiter.check(ip("2001:db8:1:ffff::1")),
            Err(TooManyJoins::Network)
        );
        assert_eq!(limiter.check(ip("2001:db8:2::1")), Ok(()), "another /48");
    }

    #[test]
    fn a_refused_address_does_not_spend_its_networks_joins() {
        let (limiter, _clock) = limiter(1, 3, MAX_TRACKED);
        let a = ip("192.0.2.1");
        assert_eq!(limiter.check(a), Ok(()));
        for _ in 0..10 {
            assert_eq!(limiter.check(a), Err(TooManyJoins::Address));
        }
        assert_eq!(limiter.check(ip("192.0.2.2")), Ok(()));
        assert_eq!(limiter.check(ip("192.0.2.3")), Ok(()));
    }

    #[test]
    fn pruning_forgets_keys_that_have_refilled() {
        let (limiter, clock) = limiter(2, 4, MAX_TRACKED);
        for n in 0..100u32 {
            let host = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + (n << 8)));
            assert_eq!(limiter.check(host), Ok(()));
        }
        assert_eq!(limiter.tracked(), (100, 100));
        limiter.prune();
        assert_eq!(limiter.tracked(), (100, 100), "still recent");
        clock.advance(Duration::from_secs(61));
        limiter.prune();
        assert_eq!(limiter.tracked(), (0, 0));
    }

    #[test]
    fn a_full_store_judges_new_keys_as_fresh_and_keeps_limiting_known_ones() {
        let (limiter, _clock) = limiter(1, 100, 2);
        let (a, b) = (ip("192.0.2.1"), ip("198.51.100.1"));
        assert_eq!(limiter.check(a), Ok(()));
        assert_eq!(limiter.check(b), Ok(()));
        for n in 0..5u32 {
            let newcomer = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            assert_eq!(limiter.check(newcomer), Ok(()), "fails open");
            assert_eq!(limiter.check(newcomer), Ok(()), "not remembered");
        }
        assert_eq!(limiter.tracked().0, 2, "the store never grew");
        assert_eq!(limiter.check(a), Err(TooManyJoins::Address));
    }

    #[test]
    fn checks_prune_on_their_own() {
        let (limiter, clock) = limiter(1, 1, MAX_TRACKED);
        for n in 0..10u32 {
            let host = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + (n << 8)));
            assert_eq!(limiter.check(host), Ok(()));
        }
        // governor keeps a key one refill interval (here a minute) beyond its fresh state.
        clock.advance(Duration::from_secs(121));
        let known = ip("192.0.2.1");
        for _ in 0..PRUNE_EVERY {
            let _ = limiter.check(known);
        }
        assert_eq!(limiter.tracked(), (1, 1), "only the recent key is left");
    }
}
