//! What the safety number proves, against a signalling server that knows the passphrase: the
//! number comes from the certificates DTLS verified, and a description dressed up with a fake
//! fingerprint is refused with words a person understands.

use std::time::Duration;
use tests::{
    Browser, Devices, MaliciousServer, Server, button, click, inbound_media, join, open_meeting,
    wait_for_text, wait_until,
};

const ROOM: &str = "e2e-verify-4tqz-8mnc-2hkw";
const PASSPHRASE: &str = "correct horse battery staple";

fn room_keys() -> anyhow::Result<crypto::RoomKeys> {
    let room = crypto::RoomName::parse(ROOM)?;
    Ok(crypto::derive_room_keys(PASSPHRASE, &room)?)
}

/// The fingerprints of the local and the remote certificate DTLS uses on the page's one
/// connected peer connection, from `getStats()`, as `sha-256 AB:…`.
const VERIFIED_CERTIFICATES: &str = r#"(async () => {
    const pc = window.__stubePeerConnections.find(pc => pc.connectionState === 'connected');
    if (!pc) return null;
    const stats = await pc.getStats();
    let transport = null;
    stats.forEach(r => { if (r.type === 'transport' && r.dtlsState === 'connected') transport = r; });
    if (!transport) return null;
    const certificate = id => { const c = stats.get(id); return c.fingerprintAlgorithm + ' ' + c.fingerprint; };
    return [certificate(transport.localCertificateId), certificate(transport.remoteCertificateId)];
})()"#;

const SHOWN_NUMBER: &str =
    "document.querySelector('.tile.remote [data-testid=safety-number]')?.textContent ?? null";

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn both_sides_show_the_safety_number_of_the_certificates_dtls_verified() -> anyhow::Result<()>
{
    let keys = room_keys()?;
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let mut pages = Vec::new();
    for name in ["Ada", "Grace"] {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        join(&page, name, PASSPHRASE, false, true).await?;
        pages.push(page);
    }
    let mut shown = Vec::new();
    for page in &pages {
        wait_until(
            page,
            "a safety number is shown",
            &format!("({SHOWN_NUMBER}) !== null"),
            Duration::from_secs(30),
        )
        .await?;
        let number: String = page.evaluate(SHOWN_NUMBER).await?.into_value()?;
        let (ours, theirs): (String, String) =
            page.evaluate(VERIFIED_CERTIFICATES).await?.into_value()?;
        let expected = crypto::safety_number(keys.safety(), &ours, &theirs)?.to_string();
        assert_eq!(
            number, expected,
            "the number shown is not the one of the certificates DTLS verified ({ours} / {theirs})"
        );
        shown.push(number);
    }
    assert_eq!(shown[0], shown[1], "the two sides show different numbers");
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_server_that_dresses_up_a_description_gets_the_connection_refused() -> anyhow::Result<()>
{
    let server = Server::start(&[])?;
    let attacker = MaliciousServer::start(server.address(), room_keys()?).await?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let host = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&host, "Host", PASSPHRASE, false, true).await?;
    wait_for_text(&host, "Waiting for others", Duration::from_secs(10)).await?;
    let victim = open_meeting(&browser, &attacker.origin(), ROOM).await?;
    join(&victim, "Guest", PASSPHRASE, false, true).await?;
    wait_for_text(
        &victim,
        "The connection to Host was not trustworthy and was closed.",
        Duration::from_secs(30),
    )
    .await?;
    tests::save_screenshot(&victim, "untrustworthy").await?;
    assert!(
        attacker.descriptions_rewritten() > 0,
        "the attack never changed a description, so the refusal proves nothing"
    );
    let connections = inbound_media(&victim).await?;
    assert!(
        connections.iter().all(|connection| !connection.connected),
        "the victim still has a connection: {connections:?}"
    );
    let tiles: usize = victim
        .evaluate("document.querySelectorAll('.tile.remote').length")
        .await?
        .into_value()?;
    assert_eq!(tiles, 0, "the refused participant still has a tile");
    browser.close().await
}

/// After comparing the number, "Mark as verified" in the participants list puts a "Verified"
/// badge on the person's tile and list entry, and the button goes.
#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn marking_a_compared_safety_number_shows_a_verified_badge() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, false, false).await?;
    let bob = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&bob, "Bob", PASSPHRASE, false, false).await?;
    let shown = format!("({SHOWN_NUMBER}) !== null");
    wait_until(
        &ada,
        "Ada sees a safety number",
        &shown,
        Duration::from_secs(30),
    )
    .await?;
    assert_eq!(
        badges(&ada).await?,
        [0, 0],
        "nothing is verified before the mark"
    );
    click(&ada, "Mark as verified").await?;
    let marked = format!(
        "document.querySelectorAll('.tile.remote .verified-badge, .participant .verified-badge').length === 2 \
         && !{}",
        button("Mark as verified")
    );
    wait_until(
        &ada,
        "the badge on Bob's tile and list entry",
        &marked,
        Duration::from_secs(5),
    )
    .await?;
    let badge_text: String = ada
        .evaluate("document.querySelector('.tile.remote .verified-badge').textContent")
        .await?
        .into_value()?;
    assert!(badge_text.contains("Verified"), "{badge_text:?}");
    tests::save_screenshot(&ada, "verified").await?;
    assert_eq!(badges(&bob).await?, [0, 0], "Bob marked nothing");
    browser.close().await
}

/// Verified badges on remote tiles and in the participants list.
async fn badges(page: &tests::Page) -> anyhow::Result<[usize; 2]> {
    Ok(page
        .evaluate(
            "[document.querySelectorAll('.tile.remote .verified-badge').length, \
              document.querySelectorAll('.participant .verified-badge').length]",
        )
        .await?
        .into_value()?)
}
