//! Security headers on every response, including the Content-Security-Policy.
//!
//! The policy allows scripts from this origin, WebAssembly compilation, and the inline scripts of
//! the current `index.html` by their SHA-256 hashes, never `'unsafe-inline'`. The hashes are kept up
//! to date by [`crate::static_files`] whenever it serves `index.html`.

use std::sync::{PoisonError, RwLock};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderName, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");
const CROSS_ORIGIN_OPENER_POLICY: HeaderName =
    HeaderName::from_static("cross-origin-opener-policy");

/// HSTS for a year, sent only when the server speaks TLS itself (behind a proxy, the proxy sends
/// it). No `includeSubDomains`: other hosts of the domain are not the operator's to decide here.
const HSTS: &str = "max-age=31536000";

/// The Content-Security-Policy currently in force.
#[derive(Debug)]
pub struct ContentSecurityPolicy {
    current: RwLock<HeaderValue>,
}

impl ContentSecurityPolicy {
    /// A policy allowing the inline scripts with these `sha256-<base64>` hashes.
    pub fn new(script_hashes: &[String]) -> Self {
        Self {
            current: RwLock::new(policy(script_hashes)),
        }
    }

    /// Replaces the allowed inline-script hashes; returns the new policy.
    pub fn update(&self, script_hashes: &[String]) -> HeaderValue {
        let value = policy(script_hashes);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = value.clone();
        value
    }

    fn current(&self) -> HeaderValue {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn policy(script_hashes: &[String]) -> HeaderValue {
    let hashes: String = script_hashes
        .iter()
        .map(|hash| format!(" '{hash}'"))
        .collect();
    let text = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    // Base64 hashes are always valid header text; without them the policy is only stricter.
    HeaderValue::from_str(&text).unwrap_or_else(|_| policy(&[]))
}

/// Middleware: adds the security headers, keeping a CSP or Cache-Control the handler chose.
pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(CONTENT_SECURITY_POLICY)
        .or_insert_with(|| state.csp.current());
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        PERMISSIONS_POLICY,
        HeaderValue::from_static(
            "camera=(self), microphone=(self), display-capture=(self), geolocation=()",
        ),
    );
    if state.hsts {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    headers.insert(
        CROSS_ORIGIN_OPENER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_lists_hashes_and_never_unsafe_inline() {
        let csp = ContentSecurityPolicy::new(&["sha256-abc=".to_owned()]);
        let text = csp.current().to_str().expect("ascii").to_owned();
        assert!(
            text.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"),
            "{text}"
        );
        assert!(!text.contains("unsafe-inline"));
        csp.update(&[]);
        assert!(!csp.current().to_str().expect("ascii").contains("sha256"));
    }
}
