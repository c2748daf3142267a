//! TLS built in: a server started with `--tls-self-signed` carries a two-person call over https
//! and wss in Chromium that trusts the printed certificate (by its public key hash, as a person
//! compares the fingerprint), with HSTS on the page and no Content-Security-Policy violation.

use std::time::Duration;

use tests::{
    Browser, Devices, Server, csp_violations, decoding_from, join, open_meeting, set_device,
    wait_until, wait_until_tiles_play,
};

const ROOM: &str = "e2e-tls-3hq8-pw2k";
const PASSPHRASE: &str = "over tls with a printed key";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_call_works_over_the_self_signed_certificate() -> anyhow::Result<()> {
    let server = Server::start(&["--tls-self-signed"])?;
    let spki = server
        .printed_spki()
        .expect("the server printed its key hash");
    assert!(server.origin().starts_with("https://"));
    let browser = Browser::launch_trusting(Devices::Allowed, &spki).await?;
    let mut pages = Vec::new();
    for name in ["Ada", "Grace"] {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        set_device(&page, "Camera", true).await?;
        set_device(&page, "Microphone", true).await?;
        join(&page, name, PASSPHRASE, true, true).await?;
        pages.push((page, name));
    }
    for (page, name) in &pages {
        let what = format!("{name} decodes the other's video");
        wait_until(page, &what, &decoding_from(1), CONNECT_TIMEOUT).await?;
        wait_until_tiles_play(page, name, 1).await?;
        let secure = page
            .evaluate("location.protocol")
            .await?
            .into_value::<String>()?;
        assert_eq!(secure, "https:");
        let violations = csp_violations(page).await?;
        assert!(
            violations.is_empty(),
            "{name}'s page broke the CSP: {violations:?}"
        );
    }
    drop(pages);
    browser.close().await
}
