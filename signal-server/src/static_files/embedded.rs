//! The built app inside the binary (see `build.rs`): each file by its path, served with its
//! content type, the brotli or gzip copy when the browser takes it, and the same cache rules as
//! files from a directory.

use axum::body::Body;
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode};

/// `(path relative to the app's root, contents)` of every embedded file; empty unless the binary
/// was built with `STUBE_EMBED_DIR`.
static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/embedded_app.rs"));

/// The embedded app, if this binary has one.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedApp(&'static [(&'static str, &'static [u8])]);

impl EmbeddedApp {
    pub fn built_in() -> Option<Self> {
        (!FILES.is_empty()).then_some(Self(FILES))
    }

    /// The file at `path` (`/app.wasm`), if embedded.
    pub fn file(&self, path: &str) -> Option<&'static [u8]> {
        let name = path.trim_start_matches('/');
        self.0
            .iter()
            .find(|(candidate, _)| *candidate == name)
            .map(|(_, bytes)| *bytes)
    }

    /// How many files it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The response for `path`, or a 404; the smallest encoding `request` accepts.
    pub fn respond(&self, path: &str, request: &HeaderMap) -> Response<Body> {
        let Some(plain) = self.file(path) else {
            return status(StatusCode::NOT_FOUND);
        };
        let accepted = request
            .get(ACCEPT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let encoded = [("br", ".br"), ("gzip", ".gz")]
            .into_iter()
            .filter(|(coding, _)| accepts(accepted, coding))
            .find_map(|(coding, suffix)| {
                self.file(&format!("{path}{suffix}"))
                    .map(|bytes| (coding, bytes))
            });
        let content_type = mime_guess::from_path(path)
            .first_raw()
            .unwrap_or("application/octet-stream");
        let mut response = Response::new(Body::from(encoded.map_or(plain, |(_, bytes)| bytes)));
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        if let Some((coding, _)) = encoded {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    }
}

/// Whether an `Accept-Encoding` list takes `coding` (and does not refuse it with `q=0`).
fn accepts(list: &str, coding: &str) -> bool {
    list.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts
            .next()
            .is_some_and(|name| name.eq_ignore_ascii_case(coding))
            && !parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            })
    })
}

fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: EmbeddedApp = EmbeddedApp(&[
        ("index.html", b"<html></html>"),
        ("app-0123456789abcdef_bg.wasm", b"plain"),
        ("app-0123456789abcdef_bg.wasm.br", b"brotli"),
        ("app-0123456789abcdef_bg.wasm.gz", b"gzip"),
    ]);

    fn encoding_of(accept: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_str(accept).expect("header"),
        );
        let response = APP.respond("/app-0123456789abcdef_bg.wasm", &headers);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/wasm");
        response
            .headers()
            .get(CONTENT_ENCODING)
            .map(|value| value.to_str().expect("ascii").to_owned())
    }

    #[test]
    fn the_smallest_accepted_encoding_is_served() {
        assert_eq!(encoding_of("gzip, deflate, br").as_deref(), Some("br"));
        assert_eq!(encoding_of("gzip").as_deref(), Some("gzip"));
        assert_eq!(encoding_of("br;q=0, gzip").as_deref(), Some("gzip"));
        assert_eq!(encoding_of("identity"), None);
    }

    #[test]
    fn missing_files_are_404() {
        assert_eq!(
            APP.respond("/nothing.js", &HeaderMap::new()).status(),
            StatusCode::NOT_FOUND
        );
    }
}
