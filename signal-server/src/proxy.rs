//! The client's address behind a reverse proxy: taken from `Forwarded` or `X-Forwarded-For` only
//! when the connection comes from a proxy the operator named with `--trusted-proxy`.
//!
//! The address lists are read from the right (the hop nearest to us) leftwards, skipping trusted
//! proxies; the first address that is not one is the client. Anything a client wrote further left
//! is never reached, so a client cannot choose the address its limits are counted against. A
//! header that cannot be read counts the connection against the proxy's own address.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use axum::http::header::FORWARDED;
use ipnet::IpNet;

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// A network whose connections are from a reverse proxy: a CIDR such as `10.0.0.0/8`, or one
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl FromStr for TrustedProxy {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        text.parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            .map(Self)
            .map_err(|_| format!("`{text}` is not an address or a network like 10.0.0.0/8"))
    }
}

/// The trusted proxies.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(proxies: &[TrustedProxy]) -> Self {
        Self(proxies.iter().map(|proxy| proxy.0).collect())
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The address a connection from `peer` with these request headers counts as.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops = if headers.contains_key(FORWARDED) {
            forwarded_for(headers)
        } else {
            x_forwarded_for(headers)
        };
        let Some(hops) = hops else {
            return peer;
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Some(address) if self.trusts(address) => client = address,
                Some(address) => return address,
                // An obfuscated or unreadable hop: the last proxy we trust is all we know.
                None => return client,
            }
        }
        client
    }
}

/// The `for=` addresses of every `Forwarded` element, left to right; `None` if a header is not
/// text. An element without a readable address is a `None` hop.
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all(FORWARDED) {
        for element in value.to_str().ok()?.split(',') {
            let address = element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, value)| node_address(value.trim().trim_matches('"')));
            hops.push(address);
        }
    }
    Some(hops)
}

/// The addresses of every `X-Forwarded-For` entry, left to right.
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        for entry in value.to_str().ok()?.split(',') {
            hops.push(node_address(entry.trim()));
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or
/// `[2001:db8::1]:4711`.
fn node_address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        let parsed: Vec<TrustedProxy> = list.iter().map(|p| p.parse().expect("proxy")).collect();
        TrustedProxies::new(&parsed)
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let forged = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            proxies(&[]).client(ip("198.51.100.1"), &forged),
            ip("198.51.100.1")
        );
        assert_eq!(
            proxies(&["10.0.0.0/8"]).client(ip("198.51.100.1"), &forged),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn the_rightmost_untrusted_address_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "192.168.1.1"]);
        // The client wrote 1.2.3.4 itself; the outer proxy appended the real address.
        let forwarded = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.1.1")]);
        assert_eq!(
            trusted.client(ip("192.168.1.1"), &forwarded),
            ip("203.0.113.9")
        );
        let split = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(trusted.client(ip("10.0.0.1"), &split), ip("203.0.113.9"));
    }

    #[test]
    fn forwarded_wins_and_reads_quoted_ipv6_with_ports() {
        let trusted = proxies(&["127.0.0.1/32"]);
        let both = headers(&[
            (
                "forwarded",
                r#"for=1.2.3.4, for="[2001:db8::7]:4711";proto=https"#,
            ),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &both), ip("2001:db8::7"));
        let port = headers(&[("forwarded", "for=203.0.113.9:1234")]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &port), ip("203.0.113.9"));
    }

    #[test]
    fn unreadable_or_missing_hops_count_against_the_proxy() {
        let trusted = proxies(&["127.0.0.1"]);
        for case in [
            headers(&[]),
            headers(&[("forwarded", "for=unknown")]),
            headers(&[("x-forwarded-for", "garbage")]),
        ] {
            assert_eq!(trusted.client(ip("127.0.0.1"), &case), ip("127.0.0.1"));
        }
        // A readable client behind an obfuscated hop is not reached.
        let hidden = headers(&[("forwarded", "for=1.2.3.4, for=_hidden")]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &hidden), ip("127.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks_and_bad_networks_are_refused() {
        let trusted = proxies(&["127.0.0.0/8"]);
        let forwarded = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            trusted.client(ip("::ffff:127.0.0.1"), &forwarded),
            ip("203.0.113.9")
        );
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("proxy.example".parse::<TrustedProxy>().is_err());
    }
}
