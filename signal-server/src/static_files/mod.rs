//! The built app: embedded in the binary ([`embedded`]) or files from a directory, `index.html`
//! for app routes, and a 503 page while the app has not been built.
//!
//! `index.html` is read on every request (it is small and must never be cached) so that the CSP
//! always carries the hashes of the inline scripts Trunk wrote into it.

mod embedded;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

use crate::AppState;
use embedded::EmbeddedApp;

const NOT_BUILT: &str = "Stube's app has not been built yet, so there is nothing to show here.\n\n\
    Build and start it with `cargo xtask run`, or point --static-dir at a directory holding the \
    built app, then reload this page.\n";

/// Hashed file names (Trunk's `name-<16 hex digits>`) never change content: cache them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else may change with the next build: revalidate every time.
const REVALIDATE: &str = "no-cache";

/// Where the app is read from when `--static-dir` is not given and the binary has none inside.
const DEFAULT_DIR: &str = "dist";

/// The app's files.
#[derive(Debug, Clone)]
pub enum StaticFiles {
    /// A directory (`--static-dir`, or `dist` during development).
    Directory { index: PathBuf, files: ServeDir },
    /// Inside this binary.
    Embedded(EmbeddedApp),
}

impl StaticFiles {
    /// The files of `dir`; without one, the app inside the binary, or else `dist`.
    pub fn new(dir: Option<&Path>) -> Self {
        match (dir, EmbeddedApp::built_in()) {
            (None, Some(app)) => Self::Embedded(app),
            (dir, _) => {
                let dir = dir.unwrap_or(Path::new(DEFAULT_DIR));
                Self::Directory {
                    index: dir.join("index.html"),
                    files: ServeDir::new(dir).precompressed_br().precompressed_gzip(),
                }
            }
        }
    }

    /// Where the files come from, for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Self::Directory { index, .. } => index
                .parent()
                .map_or_else(String::new, |dir| dir.display().to_string()),
            Self::Embedded(app) => format!("built in ({} files)", app.len()),
        }
    }

    /// The inline-script hashes of `index.html` as it is now, or `None` if it cannot be read.
    pub fn index_script_hashes(&self) -> Option<Vec<String>> {
        self.index_html().map(|html| inline_script_hashes(&html))
    }

    fn index_html(&self) -> Option<String> {
        match self {
            Self::Directory { index, .. } => std::fs::read_to_string(index).ok(),
            Self::Embedded(app) => app
                .file("index.html")
                .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok()),
        }
    }
}

/// Fallback handler for every path that is not `/ws` or `/healthz`.
pub async fn handler(State(state): State<AppState>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = request.uri().path().to_owned();
    if path == "/" || path == "/index.html" {
        return index(&state).await;
    }
    let (mut response, built) = match &state.files {
        StaticFiles::Directory { index, files } => {
            let response = match files.clone().try_call(request).await {
                Ok(response) => response.map(Body::new),
                Err(error) => {
                    tracing::warn!(%error, "cannot read a static file");
                    return StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            };
            let built = response.status() != StatusCode::NOT_FOUND
                || tokio::fs::try_exists(index).await.unwrap_or(false);
            (response, built)
        }
        StaticFiles::Embedded(app) => (app.respond(&path, request.headers()), true),
    };
    if response.status() == StatusCode::NOT_FOUND {
        // An app route (no file extension) gets the app; so does everything while it is not built.
        if !looks_like_a_file(&path) || !built {
            return index(&state).await;
        }
        return response;
    }
    let cache = if is_hashed_asset(&path) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// `index.html` with a CSP allowing exactly its inline scripts, or the 503 page.
async fn index(state: &AppState) -> Response {
    let html = match &state.files {
        StaticFiles::Directory { index, .. } => tokio::fs::read_to_string(index).await.ok(),
        embedded @ StaticFiles::Embedded(_) => embedded.index_html(),
    };
    let Some(html) = html else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (CONTENT_TYPE, "text/plain; charset=utf-8"),
                (CACHE_CONTROL, "no-store"),
            ],
            NOT_BUILT,
        )
            .into_response();
    };
    let csp = state.csp.update(&inline_script_hashes(&html));
    let mut response = (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, REVALIDATE),
        ],
        html,
    )
        .into_response();
    response.headers_mut().insert(CONTENT_SECURITY_POLICY, csp);
    response
}

/// `sha256-<base64>` of the content of every `<script>` without a `src` attribute, as CSP wants.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut rest = 0;
    while let Some(found) = lower[rest..].find("<script") {
        let tag = rest + found;
        let Some(tag_len) = lower[tag..].find('>') else {
            break;
        };
        let attributes = &lower[tag + "<script".len()..tag + tag_len];
        let body = tag + tag_len + 1;
        let Some(body_len) = lower[body..].find("</script") else {
            break;
        };
        let is_element =
            attributes.is_empty() || attributes.starts_with(|c: char| c.is_ascii_whitespace());
        if is_element && !has_src(attributes) {
            let digest = Sha256::digest(&html.as_bytes()[body..body + body_len]);
            hashes.push(format!("sha256-{}", BASE64.encode(digest)));
        }
        rest = body + body_len;
    }
    hashes
}

fn has_src(attributes: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|attribute| attribute == "src" || attribute.starts_with("src="))
}

/// Whether the last path segment has an extension (`/app.wasm`, not `/room/xyz`).
fn looks_like_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.'))
}

/// Trunk names built files `<name>-<16 hex digits>[_bg].<ext>`.
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    stem.split('-').skip(1).any(|part| {
        let hash = part.split('_').next().unwrap_or_default();
        hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<html><head><SCRIPT type="module">import init from '/a.js';</SCRIPT>
            <script src="/b.js"></script><scripts></scripts><script>x</script></head></html>"#;
        let hashes = inline_script_hashes(html);
        let expected: Vec<String> = ["import init from '/a.js';", "x"]
            .iter()
            .map(|body| format!("sha256-{}", BASE64.encode(Sha256::digest(body))))
            .collect();
        assert_eq!(hashes, expected);
    }

    #[test]
    fn hashed_asset_names_are_recognised() {
        assert!(is_hashed_asset("/stube-app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("/style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/my-app.js"));
    }

    #[test]
    fn app_routes_are_told_apart_from_files() {
        assert!(looks_like_a_file("/app.wasm"));
        assert!(!looks_like_a_file("/room/abc"));
        assert!(!looks_like_a_file("/"));
    }
}
