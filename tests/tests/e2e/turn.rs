//! Calls through a real TURN server (Debian's coturn on loopback, credentials minted by
//! signal-server with coturn's REST scheme): relay-only by the operator's choice, a wrong secret
//! named as the operator's problem, and "Hide my IP address" chosen by one participant.

use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, Tab, TurnServer, click, fill, join, open_meeting,
    wait_for_text, wait_until, wait_until_tiles_play,
};

const ROOM: &str = "e2e-turn-4fjx-8qwz-2mvd";
const PASSPHRASE: &str = "correct horse battery staple";
const SECRET: &str = "turn-secret-for-the-tests";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const HIDE_IP: &str = "Hide my IP address";

/// A condition for [`wait_until`]: the page has exactly one connected peer connection, and the
/// candidate types of its selected pair (`transport.selectedCandidatePairId` → `candidate-pair`
/// → local and remote candidate) satisfy `accept(local, remote)`, a JavaScript function; else
/// the types seen, for the timeout message.
fn selected_pair(accept: &str) -> String {
    format!(
        r#"(async () => {{
        const live = window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected');
        if (live.length !== 1) return `${{live.length}} connected peer connections`;
        const stats = await live[0].getStats();
        let pair;
        stats.forEach(r => {{ if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); }});
        if (!pair) return 'no selected candidate pair';
        const local = stats.get(pair.localCandidateId)?.candidateType;
        const remote = stats.get(pair.remoteCandidateId)?.candidateType;
        return ({accept})(local, remote) || `selected pair: local ${{local}}, remote ${{remote}}`;
    }})()"#
    )
}

/// The "Hide my IP address" checkbox, found by its accessible name (its label's text).
fn hide_ip_box() -> String {
    format!(
        "[...document.querySelectorAll('input[type=checkbox]')].find(i => [...i.labels].some(l => l.textContent.trim() === {:?}))",
        HIDE_IP
    )
}

async fn two_in_a_call(
    browser: &Browser,
    origin: &str,
    hide_ip: bool,
) -> anyhow::Result<[Page; 2]> {
    let ada = open_meeting(browser, origin, ROOM).await?;
    if hide_ip {
        let tick = format!(
            "(() => {{ const b = {}; if (!b || b.disabled) return false; if (!b.checked) b.click(); return b.checked; }})()",
            hide_ip_box()
        );
        anyhow::ensure!(
            ada.read::<bool>(&tick).await?,
            "Ada could not tick {HIDE_IP:?}"
        );
        tests::save_screenshot(&ada, "prejoin-hide-ip").await?;
    }
    join(&ada, "Ada", PASSPHRASE, true, true).await?;
    let grace = open_meeting(browser, origin, ROOM).await?;
    join(&grace, "Grace", PASSPHRASE, true, true).await?;
    Ok([ada, grace])
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, coturn, private network namespace)"]
async fn relay_only_calls_go_through_the_turn_server_and_play() -> anyhow::Result<()> {
    let turn = TurnServer::start(SECRET)?;
    let url = turn.url();
    let server = Server::start(&[
        "--ice-server",
        &url,
        "--turn-secret",
        SECRET,
        "--relay-only",
    ])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let pages = two_in_a_call(&browser, &server.origin(), false).await?;
    for (page, name) in pages.iter().zip(["Ada", "Grace"]) {
        let relayed = selected_pair("(local, remote) => local === 'relay' && remote === 'relay'");
        let what = format!("{name}'s connection goes through the relay at both ends");
        if let Err(error) = wait_until(page, &what, &relayed, CONNECT_TIMEOUT).await {
            anyhow::bail!("{error:#}\ncoturn logged:\n{}", turn.log());
        }
        wait_until_tiles_play(page, name, 1).await?;
    }
    // Back on the pre-join page, the box shows what the operator requires.
    let ada = &pages[0];
    click(ada, "Leave meeting").await?;
    wait_for_text(ada, "Rejoin", Duration::from_secs(10)).await?;
    click(ada, "Rejoin").await?;
    let required = format!(
        "(() => {{ const b = {}; return !!b && b.checked && b.disabled; }})()",
        hide_ip_box()
    );
    wait_until(
        ada,
        "the box is checked and disabled",
        &required,
        Duration::from_secs(10),
    )
    .await?;
    wait_for_text(
        ada,
        "The operator of this server requires it",
        Duration::from_secs(5),
    )
    .await?;
    tests::save_screenshot(ada, "prejoin-hide-ip-required").await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, coturn, private network namespace)"]
async fn a_turn_server_that_refuses_the_credentials_is_named_as_the_operators_problem()
-> anyhow::Result<()> {
    let turn = TurnServer::start(SECRET)?;
    let url = turn.url();
    let server = Server::start(&[
        "--ice-server",
        &url,
        "--turn-secret",
        "not-the-secret",
        "--relay-only",
    ])?;
    // Ada's browser speaks English, Grace's German: both see the message in their language.
    let english = Browser::launch(Devices::Allowed).await?;
    let german = Browser::launch_in(Devices::Allowed, "de-DE").await?;
    let ada = open_meeting(&english, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, true, true).await?;
    let grace = open_meeting(&german, &server.origin(), ROOM).await?;
    wait_for_text(&grace, "Meine IP-Adresse verbergen", Duration::from_secs(5)).await?;
    fill(&grace, "Ihr Name", "Grace").await?;
    fill(&grace, "Passphrase", PASSPHRASE).await?;
    click(&grace, "Teilnehmen").await?;
    let expected = [
        (
            &ada,
            "The relay server could not be reached or refused the connection",
        ),
        (
            &grace,
            "Der Relais-Server war nicht erreichbar oder hat die Verbindung abgelehnt",
        ),
    ];
    for (page, text) in expected {
        wait_for_text(page, text, CONNECT_TIMEOUT).await?;
    }
    tests::save_screenshot(&ada, "relay-refused").await?;
    english.close().await?;
    german.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, coturn, private network namespace)"]
async fn hide_my_ip_address_relays_that_participants_connection() -> anyhow::Result<()> {
    let turn = TurnServer::start(SECRET)?;
    let url = turn.url();
    let server = Server::start(&["--ice-server", &url, "--turn-secret", SECRET])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let [ada, grace] = two_in_a_call(&browser, &server.origin(), true).await?;
    // Ada's own end is a relay candidate, and Grace only ever reaches Ada's relay address.
    let checks = [
        (
            &ada,
            "Ada's end of the connection is the relay",
            "(local, remote) => local === 'relay'",
        ),
        (
            &grace,
            "Grace reaches Ada through the relay",
            "(local, remote) => remote === 'relay'",
        ),
    ];
    for (page, what, accept) in checks {
        if let Err(error) = wait_until(page, what, &selected_pair(accept), CONNECT_TIMEOUT).await {
            anyhow::bail!("{error:#}\ncoturn logged:\n{}", turn.log());
        }
    }
    wait_until_tiles_play(&ada, "Ada", 1).await?;
    wait_until_tiles_play(&grace, "Grace", 1).await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn hide_my_ip_address_without_a_relay_connects_nobody_and_says_why() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let [ada, grace] = two_in_a_call(&browser, &server.origin(), true).await?;
    wait_for_text(
        &ada,
        "You asked to hide your IP address, but this server offers no relay server",
        CONNECT_TIMEOUT,
    )
    .await?;
    // Once Ada's connection to Grace has gathered its candidates (none: only relay candidates
    // were allowed, and there is no relay), her tile says so.
    wait_for_text(
        &ada,
        "Not connected: your IP address stays hidden",
        CONNECT_TIMEOUT,
    )
    .await?;
    let gathered = "(async () => { const pcs = window.__stubePeerConnections.filter(pc => pc.connectionState !== 'closed' && pc.iceGatheringState === 'complete'); \
        if (pcs.length !== 1) return `${pcs.length} connections done gathering`; \
        const types = []; (await pcs[0].getStats()).forEach(r => { if (r.type === 'local-candidate') types.push(r.candidateType); }); \
        return types.length === 0 || types; })()";
    wait_until(
        &ada,
        "Ada's connection gathered no candidate at all (no address of hers went out)",
        gathered,
        CONNECT_TIMEOUT,
    )
    .await?;
    tests::save_screenshot(&ada, "hide-ip-without-relay").await?;
    let grace_connected = grace
        .read::<bool>(
            "window.__stubePeerConnections.some(pc => pc.connectionState === 'connected')",
        )
        .await?;
    assert!(
        !grace_connected,
        "Grace connected to Ada although Ada asked to hide her address"
    );
    // Back on the pre-join page, the box says this server has no relay.
    click(&ada, "Leave meeting").await?;
    wait_for_text(&ada, "Rejoin", Duration::from_secs(10)).await?;
    click(&ada, "Rejoin").await?;
    let no_relay = format!(
        "(() => {{ const b = {}; return !!b && !b.checked && b.disabled; }})()",
        hide_ip_box()
    );
    wait_until(
        &ada,
        "the box is unchecked and disabled",
        &no_relay,
        Duration::from_secs(10),
    )
    .await?;
    wait_for_text(
        &ada,
        "This server offers no relay server",
        Duration::from_secs(5),
    )
    .await?;
    browser.close().await
}

/// The TURN username the page's connected peer connection is configured with now.
const TURN_USERNAME: &str = "(() => { const pc = window.__stubePeerConnections.find(pc => pc.connectionState === 'connected'); \
    return pc ? pc.getConfiguration().iceServers.map(s => s.username || '').join(' ') : ''; })()";

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, coturn, private network namespace)"]
async fn after_a_server_restart_open_connections_get_fresh_turn_credentials() -> anyhow::Result<()>
{
    let turn = TurnServer::start(SECRET)?;
    let url = turn.url();
    let mut server = Server::start(&[
        "--ice-server",
        &url,
        "--turn-secret",
        SECRET,
        "--relay-only",
    ])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let pages = two_in_a_call(&browser, &server.origin(), false).await?;
    let relayed = selected_pair("(local, remote) => local === 'relay' && remote === 'relay'");
    for (page, name) in pages.iter().zip(["Ada", "Grace"]) {
        let what = format!("{name}'s connection goes through the relay");
        wait_until(page, &what, &relayed, CONNECT_TIMEOUT).await?;
    }
    let ada = &pages[0];
    let before: String = ada.read(TURN_USERNAME).await?;
    anyhow::ensure!(
        before.contains(':'),
        "no TURN username configured: {before:?}"
    );

    // A fresh server process: both pages reconnect and are welcomed with new credentials, which
    // the connection that kept running must now carry (credentials expire; an ICE restart after
    // that would otherwise fail to reach the relay).
    server.kill()?;
    server.start_again()?;
    let changed = format!(
        "(() => {{ const now = {TURN_USERNAME}; return (now.includes(':') && now !== {before:?}) || now; }})()"
    );
    wait_until(
        ada,
        "Ada's open connection carries the new welcome's TURN credentials",
        &changed,
        CONNECT_TIMEOUT,
    )
    .await?;
    for (page, name) in pages.iter().zip(["Ada", "Grace"]) {
        wait_until_tiles_play(page, name, 1).await?;
    }
    browser.close().await
}
