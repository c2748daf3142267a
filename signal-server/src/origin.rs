//! Which web pages may open `/ws`: the `Origin` check before the WebSocket upgrade.
//!
//! Browsers send `Origin` with every WebSocket handshake and do not let a page change it, so a
//! page from another site cannot use a visitor's browser (and address) to open sockets here. An
//! upgrade is allowed when its origin's host and port equal the request's `Host` (the page came
//! from this server), or when the origin is one the operator listed (`--allowed-origin`, e.g. when
//! a reverse proxy rewrites `Host`). A request without `Origin` is allowed: it does not come from a
//! browser page (command-line and test clients send none), and a non-browser client could send any
//! `Origin` it liked anyway, so refusing it would protect nothing.

use std::str::FromStr;

use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Uri};

/// A web origin, `scheme://host[:port]`, lowercase and without the scheme's default port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    /// `host` or `host:port`, the port only when it is not the scheme's default.
    authority: String,
}

/// Why a text is not an origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an origin such as https://meet.example.org or http://localhost:8080")]
pub struct InvalidOrigin(String);

impl FromStr for Origin {
    type Err = InvalidOrigin;

    /// Parses `scheme://host[:port]`; a single trailing `/` is ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidOrigin(text.to_owned());
        let trimmed = text.trim();
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        let (scheme, authority) = trimmed.split_once("://").ok_or_else(invalid)?;
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        let authority_ok = !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_graphic() && !"/?#@\\".contains(c));
        if !scheme_ok || !authority_ok {
            return Err(invalid());
        }
        let scheme = scheme.to_ascii_lowercase();
        let authority = without_default_port(&scheme, &authority.to_ascii_lowercase());
        Ok(Self { scheme, authority })
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority)
    }
}

/// `authority` without `:80` for http or `:443` for https.
fn without_default_port(scheme: &str, authority: &str) -> String {
    let default = match scheme {
        "http" | "ws" => ":80",
        "https" | "wss" => ":443",
        _ => return authority.to_owned(),
    };
    authority
        .strip_suffix(default)
        .unwrap_or(authority)
        .to_owned()
}

/// The origins allowed besides the serving host's own.
#[derive(Debug, Clone, Default)]
pub struct AllowedOrigins {
    listed: Vec<Origin>,
}

impl AllowedOrigins {
    pub fn new(listed: Vec<Origin>) -> Self {
        Self { listed }
    }

    /// Whether a WebSocket upgrade with these headers (and this request target, which carries the
    /// authority in HTTP/2) may proceed.
    pub fn permit(&self, headers: &HeaderMap, uri: &Uri) -> bool {
        let Some(origin) = headers.get(ORIGIN) else {
            return true;
        };
        let Some(origin) = origin.to_str().ok().and_then(|o| o.parse::<Origin>().ok()) else {
            return false; // `null` (sandboxed pages, file://) or garbage
        };
        if self.listed.contains(&origin) {
            return true;
        }
        let host = headers
            .get(HOST)
            .and_then(|host| host.to_str().ok())
            .or_else(|| uri.authority().map(|authority| authority.as_str()));
        host.is_some_and(|host| {
            without_default_port(&origin.scheme, &host.trim().to_ascii_lowercase())
                == origin.authority
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(origin: Option<&str>, host: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert(ORIGIN, HeaderValue::from_str(origin).expect("header"));
        }
        if let Some(host) = host {
            headers.insert(HOST, HeaderValue::from_str(host).expect("header"));
        }
        headers
    }

    fn permits(allowed: &[&str], origin: Option<&str>, host: Option<&str>) -> bool {
        let listed = allowed
            .iter()
            .map(|origin| origin.parse().expect("origin"))
            .collect();
        AllowedOrigins::new(listed).permit(&headers(origin, host), &Uri::from_static("/ws"))
    }

    #[test]
    fn the_serving_host_is_allowed_with_or_without_its_default_port() {
        let host = Some("meet.example.org");
        assert!(permits(&[], Some("https://meet.example.org"), host));
        assert!(permits(&[], Some("https://MEET.example.org"), host));
        assert!(permits(
            &[],
            Some("https://meet.example.org"),
            Some("meet.example.org:443")
        ));
        assert!(permits(&[], Some("http://meet.example.org:80"), host));
        assert!(permits(
            &[],
            Some("http://127.0.0.1:8080"),
            Some("127.0.0.1:8080")
        ));
        assert!(permits(&[], Some("http://[::1]:8080"), Some("[::1]:8080")));
    }

    #[test]
    fn other_hosts_ports_and_opaque_origins_are_refused() {
        let host = Some("meet.example.org");
        for origin in [
            "https://evil.example",
            "https://meet.example.org.evil.example",
            "https://meet.example.org:8443",
            "http://127.0.0.1:8080",
            "null",
            "meet.example.org",
            "",
        ] {
            assert!(!permits(&[], Some(origin), host), "allowed {origin:?}");
        }
        assert!(
            !permits(&[], Some("https://meet.example.org"), None),
            "no Host"
        );
    }

    #[test]
    fn listed_origins_are_allowed() {
        let listed = ["https://meet.example.org/", "http://localhost:8080"];
        let host = Some("127.0.0.1:8080");
        assert!(permits(&listed, Some("https://meet.example.org"), host));
        assert!(permits(&listed, Some("http://localhost:8080"), host));
        assert!(!permits(&listed, Some("http://localhost:8081"), host));
        assert!(!permits(&listed, Some("https://evil.example"), host));
    }

    #[test]
    fn a_request_without_origin_is_allowed() {
        assert!(permits(&[], None, Some("meet.example.org")));
        assert!(permits(&[], None, None));
    }

    #[test]
    fn origins_parse_strictly() {
        for bad in [
            "",
            "example.org",
            "https://",
            "https://a/b",
            "https://user@a",
            "1http://a",
            "https://a b",
        ] {
            assert!(bad.parse::<Origin>().is_err(), "accepted {bad:?}");
        }
        let origin: Origin = "HTTPS://Meet.Example.org:443/".parse().expect("origin");
        assert_eq!(origin.to_string(), "https://meet.example.org");
    }
}
