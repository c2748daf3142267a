//! The built app, `/healthz` and the security headers, through the router.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use signal_server::{AppState, app};
use tower::ServiceExt as _;

use crate::support::config;

const BOOTSTRAP: &str = "import init, * as bindings from '/stube-app-0123456789abcdef.js';\n\
    const wasm = await init({ module_or_path: '/stube-app-0123456789abcdef_bg.wasm' });\n";

fn built_app(dir: &Path) {
    let index = format!(
        "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"/style.css\">\
         <script type=\"module\">{BOOTSTRAP}</script></head><body></body></html>"
    );
    std::fs::write(dir.join("index.html"), index).expect("index.html");
    std::fs::write(
        dir.join("stube-app-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .expect("wasm");
    std::fs::write(
        dir.join("stube-app-0123456789abcdef.js"),
        "export default 1;\n".repeat(100),
    )
    .expect("js");
    std::fs::write(dir.join("style.css"), "body { margin: 0 }\n").expect("css");
}

async fn get(dir: &Path, path: &str, accept_encoding: Option<&str>) -> (Response<Body>, String) {
    let state = AppState::new(
        &config(|config| config.static_dir = Some(dir.to_owned())),
        false,
    )
    .expect("state");
    let mut request = Request::get(path);
    if let Some(encoding) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    let response = app(state)
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.expect("body");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (Response::from_parts(parts, Body::empty()), text)
}

fn header_of<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn files_are_served_with_their_content_types_and_cache_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    built_app(dir.path());
    for (path, content_type, cache) in [
        ("/", "text/html; charset=utf-8", "no-cache"),
        ("/index.html", "text/html; charset=utf-8", "no-cache"),
        (
            "/stube-app-0123456789abcdef_bg.wasm",
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            "/stube-app-0123456789abcdef.js",
            "text/javascript",
            "public, max-age=31536000, immutable",
        ),
        ("/style.css", "text/css", "no-cache"),
    ] {
        let (response, _) = get(dir.path(), path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&response, "content-type"), content_type, "{path}");
        assert_eq!(header_of(&response, "cache-control"), cache, "{path}");
    }
}

#[tokio::test]
async fn app_routes_fall_back_to_index_html_but_missing_files_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    built_app(dir.path());
    let (response, body) = get(dir.path(), "/room/some-room-name", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains("<script type=\"module\">"), "got {body}");
    let (response, _) = get(dir.path(), "/missing-0123456789abcdef.js", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_response_carries_the_csp_and_the_security_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    built_app(dir.path());
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(BOOTSTRAP));
    for path in [
        "/",
        "/style.css",
        "/healthz",
        "/room/x",
        "/operator.json",
        "/missing.js",
        "/ws",
    ] {
        let (response, _) = get(dir.path(), path, None).await;
        let csp = header_of(&response, "content-security-policy");
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{path}: {csp}"
        );
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(header_of(&response, "referrer-policy"), "no-referrer");
        assert_eq!(header_of(&response, "x-content-type-options"), "nosniff");
        assert_eq!(
            header_of(&response, "cross-origin-opener-policy"),
            "same-origin"
        );
        assert_eq!(
            header_of(&response, "permissions-policy"),
            "camera=(self), microphone=(self), display-capture=(self), geolocation=()"
        );
        assert!(response.headers().get("set-cookie").is_none());
    }
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    built_app(dir.path());
    for encoding in ["br", "gzip"] {
        let (response, _) = get(dir.path(), "/stube-app-0123456789abcdef.js", Some(encoding)).await;
        assert_eq!(header_of(&response, "content-encoding"), encoding);
    }
}

#[tokio::test]
async fn healthz_answers_ok() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (response, body) = get(dir.path(), "/healthz", None).await;
    assert_eq!((response.status(), body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn without_a_built_app_every_page_says_so_with_503() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("dist");
    for path in ["/", "/room/x", "/app.wasm"] {
        let (response, body) = get(&missing, path, None).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(body.contains("cargo xtask run"), "{path}: {body}");
        assert!(header_of(&response, "content-security-policy").contains("default-src 'self'"));
    }
    let (response, _) = get(&missing, "/healthz", None).await;
    assert_eq!(response.status(), StatusCode::OK);
}
