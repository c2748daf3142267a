//! Real calls between headless Chromiums with fake devices, through the real server.

use std::time::Duration;
use tests::{
    Browser, Devices, Inbound, RecordingProxy, Server, check_safety_numbers, click, decoding_from,
    inbound_media, join, live_capture_tracks, open_meeting, safety_numbers, self_view_is_muted,
    set_device, wait_for_text, wait_until, wait_until_audible, wait_until_media_flows,
    wait_until_moving, wait_until_silent, wait_until_still, wait_until_tiles_play,
};

const ROOM: &str = "e2e-room-7kqm-2xhd-9vwp";
const PASSPHRASE: &str = "correct horse battery staple";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

fn remote_tiles(count: usize) -> String {
    format!(
        "document.querySelectorAll('.tile.remote[data-status=\"connected\"]').length === {count} && document.querySelectorAll('.tile.remote').length === {count}"
    )
}

/// Inbound media totals at the start and at the end of a 1.5 s window: to check that something
/// does *not* arrive (audio after mute), which no condition can be polled for.
async fn observe_window(page: &tests::Page) -> anyhow::Result<(Vec<Inbound>, Vec<Inbound>)> {
    let before = inbound_media(page).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Ok((before, inbound_media(page).await?))
}

const NAMES: [&str; 3] = ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"];

/// Three people join through `origin` with camera and microphone on (the pre-join preview and
/// the own tile muted), and every page decodes both others.
async fn three_in_a_call(browser: &Browser, origin: &str) -> anyhow::Result<Vec<tests::Page>> {
    let mut pages = Vec::new();
    for name in NAMES {
        let page = open_meeting(browser, origin, ROOM).await?;
        set_device(&page, "Camera", true).await?;
        set_device(&page, "Microphone", true).await?;
        assert!(
            self_view_is_muted(&page).await?,
            "{name}'s pre-join preview is not muted: they would hear themselves"
        );
        join(&page, name, PASSPHRASE, true, true).await?;
        pages.push(page);
    }
    for (page, name) in pages.iter().zip(NAMES) {
        let what = format!("{name} sees two connected peers");
        wait_until(page, &what, &remote_tiles(2), CONNECT_TIMEOUT).await?;
        let what = format!("{name} decodes video from both others");
        wait_until(page, &what, &decoding_from(2), CONNECT_TIMEOUT).await?;
    }
    Ok(pages)
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn three_people_see_and_hear_each_other_and_agree_on_safety_numbers() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let pages = three_in_a_call(&browser, &server.origin()).await?;
    for (page, name) in pages.iter().zip(NAMES) {
        wait_until_media_flows(page, name, 2, CONNECT_TIMEOUT).await?;
        // What the person perceives: both others' tiles play moving, lit video with sound.
        wait_until_tiles_play(page, name, 2).await?;
        assert!(
            self_view_is_muted(page).await?,
            "{name}'s own tile is not muted: they would hear themselves"
        );
        let violations = tests::csp_violations(page).await?;
        assert!(
            violations.is_empty(),
            "{name}'s page broke the CSP: {violations:?}"
        );
    }
    tests::save_screenshot(&pages[0], "three-people").await?;
    // Both ends of every connection show the same safety number, and different pairs differ.
    let mut shown = std::collections::BTreeMap::new();
    for (page, name) in pages.iter().zip(NAMES) {
        shown.insert(name.to_owned(), safety_numbers(page).await?);
    }
    check_safety_numbers(&shown)?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn the_server_relays_only_ciphertext() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let proxy = RecordingProxy::start(server.address()).await?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let pages = three_in_a_call(&browser, &proxy.origin()).await?;
    let relayed = String::from_utf8_lossy(&proxy.recorded()).into_owned();
    assert!(
        relayed.contains(r#""type":"signal""#),
        "the proxy recorded no relayed signal messages"
    );
    for secret in ["v=0", "a=fingerprint", "candidate:", ROOM, PASSPHRASE]
        .into_iter()
        .chain(NAMES)
    {
        assert!(
            !relayed.contains(secret),
            "the server relayed plaintext: found {secret:?}"
        );
    }
    drop(pages);
    browser.close().await?;
    the_log_names_nobody(&server.output(), server.address());
    Ok(())
}

/// What the server printed at its default level during a call names no client address, room
/// id, name or passphrase (its own listen address may appear).
fn the_log_names_nobody(log: &str, listen: std::net::SocketAddr) {
    assert!(
        log.contains("starting"),
        "the server's output was not captured: {log}"
    );
    for secret in [ROOM, PASSPHRASE].into_iter().chain(NAMES) {
        assert!(!log.contains(secret), "the log names {secret:?}:\n{log}");
    }
    let own = listen.to_string();
    for (at, _) in log.match_indices(&listen.ip().to_string()) {
        assert!(
            log[at..].starts_with(&own),
            "the log names a client address: {}",
            &log[at..log.len().min(at + 40)]
        );
    }
    // Room ids and admission tokens are 64 hex digits (the browsers' frames to the server are
    // masked, so the test cannot read the very id): no hex string that long may appear.
    let longest_hex_run = log
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(
        longest_hex_run < 32,
        "the log holds a long hex string:\n{log}"
    );
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_leaver_and_a_closed_tab_disappear_and_the_leavers_devices_go_off() -> anyhow::Result<()>
{
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let mut pages = three_in_a_call(&browser, &server.origin()).await?;
    let leaver = pages.pop().expect("three pages");
    click(&leaver, "Leave meeting").await?;
    for (page, name) in pages.iter().zip(NAMES) {
        let what = format!("{name} drops the leaver's tile");
        wait_until(page, &what, &remote_tiles(1), Duration::from_secs(5)).await?;
        wait_until_media_flows(page, name, 1, CONNECT_TIMEOUT).await?;
        wait_until_tiles_play(page, name, 1).await?;
    }
    // Every capture track of the leaver's page, clones included, has ended: the camera light is off.
    let devices_off = "window.__stubeLocalTracks.length > 0 && window.__stubeLocalTracks.every(t => t.readyState === 'ended')";
    let what = "the leaver's camera and microphone are off";
    wait_until(&leaver, what, devices_off, Duration::from_secs(5)).await?;
    let live = live_capture_tracks(&leaver).await?;
    assert!(live.is_empty(), "still live after leaving: {live:?}");
    wait_for_text(&leaver, "You left the meeting.", Duration::from_secs(5)).await?;

    // A participant who vanishes (the tab closes without leaving) goes just as quickly.
    let vanishing = pages.pop().expect("two pages left");
    vanishing.close().await?;
    let alone = &pages[0];
    let what = "the vanished tile is dropped";
    wait_until(alone, what, &remote_tiles(0), Duration::from_secs(5)).await?;
    wait_for_text(alone, "Waiting for others", Duration::from_secs(5)).await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn muting_and_stopping_the_camera_stop_what_the_peer_sees_and_hears() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let sender = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&sender, "Sender", PASSPHRASE, true, true).await?;
    let receiver = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&receiver, "Receiver", PASSPHRASE, true, true).await?;
    wait_until(
        &receiver,
        "the receiver is connected",
        &remote_tiles(1),
        CONNECT_TIMEOUT,
    )
    .await?;
    wait_until_tiles_play(&receiver, "the receiver", 1).await?;

    click(&sender, "Mute microphone").await?;
    wait_until_silent(&receiver, "Sender").await?;
    wait_until_moving(&receiver, "Sender").await?;
    let (before, after) = observe_window(&receiver).await?;
    assert_eq!(
        after[0].audio_bytes, before[0].audio_bytes,
        "audio still arrives after mute"
    );
    assert!(
        after[0].video_bytes > before[0].video_bytes,
        "video stopped with the microphone"
    );

    click(&sender, "Stop camera").await?;
    wait_until_still(&receiver, "Sender").await?;
    let (before, after) = observe_window(&receiver).await?;
    assert_eq!(
        after[0].video_bytes, before[0].video_bytes,
        "video still arrives after the camera stopped"
    );
    let camera_off = "window.__stubeLocalTracks.filter(t => t.kind === 'video').every(t => t.readyState === 'ended')";
    wait_until(
        &sender,
        "the sender's camera is released",
        camera_off,
        Duration::from_secs(2),
    )
    .await?;

    click(&sender, "Start camera").await?;
    wait_until_moving(&receiver, "Sender").await?;
    click(&sender, "Unmute microphone").await?;
    wait_until_audible(&receiver, "Sender").await?;
    wait_until_tiles_play(&receiver, "the receiver", 1).await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_wrong_passphrase_is_reported_on_both_sides_and_connects_nothing() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let host = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&host, "Host", PASSPHRASE, true, true).await?;
    wait_for_text(&host, "Waiting for others", Duration::from_secs(10)).await?;
    let intruder = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&intruder, "Intruder", "a different passphrase", true, true).await?;
    wait_for_text(
        &intruder,
        "The passphrase does not match this meeting",
        Duration::from_secs(5),
    )
    .await?;
    wait_for_text(
        &host,
        "Someone with a different passphrase tried to join",
        Duration::from_secs(5),
    )
    .await?;
    // An observation window for something that must not happen (a connection), not a wait for
    // something that should.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // The host opened one connection to offer on while the hellos crossed; its offer never
    // left, so it never connects. The intruder, who would answer, has none.
    let connections = inbound_media(&host).await?;
    assert!(
        connections.len() <= 1
            && (connections.iter())
                .all(|c| !c.connected && c.video_bytes == 0 && c.audio_bytes == 0),
        "the host has peer connections that connected or received: {connections:?}"
    );
    let connections = inbound_media(&intruder).await?;
    assert!(
        connections.is_empty(),
        "the intruder has peer connections: {connections:?}"
    );
    for (page, who) in [(&host, "host"), (&intruder, "intruder")] {
        let tiles: usize = page
            .evaluate("document.querySelectorAll('.tile.remote').length")
            .await?
            .into_value()?;
        assert_eq!(tiles, 0, "the {who} shows a remote tile");
    }
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn the_pre_join_page_works_with_camera_and_microphone_denied() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Denied).await?;
    let page = open_meeting(&browser, &server.origin(), ROOM).await?;
    click(&page, "Camera").await?;
    wait_for_text(
        &page,
        "was not allowed to use the camera or microphone",
        Duration::from_secs(10),
    )
    .await?;
    click(&page, "Microphone").await?;
    let off = "[...document.querySelectorAll('button[aria-pressed]')].every(b => b.getAttribute('aria-pressed') === 'false')";
    wait_until(
        &page,
        "both device buttons stay off",
        off,
        Duration::from_secs(5),
    )
    .await?;
    join(&page, "Listener", PASSPHRASE, false, false).await?;
    wait_for_text(&page, "Waiting for others", Duration::from_secs(10)).await?;
    browser.close().await
}
