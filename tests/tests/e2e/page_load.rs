//! Loading the app: it renders, it contacts nobody but its own origin, and it leaves the
//! passphrase word lists until someone needs one.

use chromiumoxide::cdp::browser_protocol::network::EventRequestWillBeSent;
use futures_util::StreamExt;
use std::time::Duration;
use tests::{Browser, Devices, Server, wait_until};

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn the_app_renders_and_requests_only_its_own_origin() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let page = browser.blank_page().await?;
    let mut requests = page.event_listener::<EventRequestWillBeSent>().await?;
    page.goto(format!("{}/", server.origin())).await?;
    wait_until(
        &page,
        "the app has rendered",
        "document.querySelector('[data-app-ready]') !== null",
        Duration::from_secs(20),
    )
    .await?;
    // Every request the page made has finished (icons, lazily loaded assets, the wasm).
    wait_until(
        &page,
        "the page has finished loading",
        "document.readyState === 'complete' && \
         performance.getEntriesByType('resource').every(entry => entry.responseEnd > 0)",
        Duration::from_secs(20),
    )
    .await?;
    page.close().await?;

    let mut urls = Vec::new();
    while let Ok(Some(event)) =
        tokio::time::timeout(Duration::from_millis(200), requests.next()).await
    {
        urls.push(event.request.url.clone());
    }
    let own_origin = server.origin();
    let foreign: Vec<&String> = urls
        .iter()
        .filter(|url| {
            !(url.starts_with(&format!("{own_origin}/"))
                || url.starts_with("data:")
                || url.starts_with("blob:"))
        })
        .collect();
    assert!(
        urls.iter().any(|url| url.ends_with(".wasm")),
        "expected the page to load its wasm; requests: {urls:?}"
    );
    assert!(
        !urls.iter().any(|url| url.contains("/wordlists/")),
        "the start page fetched a word list before anyone started a meeting: {urls:?}"
    );
    assert!(
        foreign.is_empty(),
        "the page contacted other origins than {own_origin}: {foreign:?}"
    );
    browser.close().await
}
