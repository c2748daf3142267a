//! Calls that survive: the signalling server restarting, and the network between two browsers
//! going away for a while.

use std::time::Duration;
use tests::{
    Blackout, Browser, Devices, Page, Server, connected_tiles, decoding_from, join, open_meeting,
    remember_connections, remembered_connections, set_device, wait_for_text, wait_until,
    wait_until_media_flows, wait_until_tiles_play,
};

const ROOM: &str = "e2e-resilience-4kqm-2xhd";
const PASSPHRASE: &str = "correct horse battery staple";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const RECONNECTING: &str = "Reconnecting to the server";

async fn join_with_camera(browser: &Browser, origin: &str, name: &str) -> anyhow::Result<Page> {
    let page = open_meeting(browser, origin, ROOM).await?;
    set_device(&page, "Camera", true).await?;
    set_device(&page, "Microphone", true).await?;
    join(&page, name, PASSPHRASE, true, true).await?;
    Ok(page)
}

async fn wait_until_decoding(page: &Page, who: &str, peers: usize) -> anyhow::Result<()> {
    page.bring_to_front().await?;
    let what = format!("{who} decodes {peers} peers");
    wait_until(page, &what, &decoding_from(peers), CONNECT_TIMEOUT).await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_server_restart_keeps_every_call_going_and_a_newcomer_meets_everyone()
-> anyhow::Result<()> {
    let mut server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let names = ["Ada", "Bob", "Cem"];
    let mut pages = Vec::new();
    for name in names {
        pages.push(join_with_camera(&browser, &server.origin(), name).await?);
    }
    for (page, name) in pages.iter().zip(names) {
        wait_until_decoding(page, name, 2).await?;
    }

    for page in &pages {
        remember_connections(page).await?;
    }
    server.kill()?;
    for (page, name) in pages.iter().zip(names) {
        wait_for_text(page, RECONNECTING, CONNECT_TIMEOUT).await?;
        page.bring_to_front().await?;
        // Media does not need the server: it keeps flowing while the server is away.
        wait_until_media_flows(page, name, 2, CONNECT_TIMEOUT).await?;
    }
    server.start_again()?;
    for (page, name) in pages.iter().zip(names) {
        let back = format!("!document.body.innerText.includes('{RECONNECTING}')");
        wait_until(
            page,
            &format!("{name} is back on the server"),
            &back,
            CONNECT_TIMEOUT,
        )
        .await?;
        wait_until(
            page,
            "two connected tiles",
            &connected_tiles(2),
            CONNECT_TIMEOUT,
        )
        .await?;
        assert_eq!(
            remembered_connections(page).await?,
            (2, 2, 2),
            "{name}: the same two connections, none closed or rebuilt"
        );
    }

    let dan = join_with_camera(&browser, &server.origin(), "Dan").await?;
    wait_until_decoding(&dan, "Dan", 3).await?;
    wait_until_tiles_play(&dan, "Dan", 3).await?;
    for (page, name) in pages.iter().zip(names) {
        wait_until_decoding(page, name, 3).await?;
        wait_until(
            page,
            "three connected tiles",
            &connected_tiles(3),
            CONNECT_TIMEOUT,
        )
        .await?;
        assert_eq!(
            remembered_connections(page).await?,
            (2, 2, 3),
            "{name}: one new connection, to Dan"
        );
    }
    Ok(())
}

/// The ICE username fragment of the page's one open connection: it changes when ICE restarts.
const ICE_UFRAG: &str = "window.__stubePeerConnections.find(pc => pc.connectionState !== 'closed')\
    .localDescription.sdp.match(/a=ice-ufrag:(\\S+)/)[1]";

async fn ice_ufrag(page: &Page) -> anyhow::Result<String> {
    Ok(page.evaluate(ICE_UFRAG).await?.into_value()?)
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_connection_cut_by_the_network_recovers_by_an_ice_restart() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = join_with_camera(&browser, &server.origin(), "Ada").await?;
    let bob = join_with_camera(&browser, &server.origin(), "Bob").await?;
    for (page, name) in [(&ada, "Ada"), (&bob, "Bob")] {
        wait_until_decoding(page, name, 1).await?;
    }
    let before = [ice_ufrag(&ada).await?, ice_ufrag(&bob).await?];
    for page in [&ada, &bob] {
        remember_connections(page).await?;
    }

    let blackout = Blackout::start()?;
    let reconnecting = "document.querySelectorAll('.tile.remote[data-status=\"reconnecting\"], .tile.remote[data-status=\"failed\"]').length === 1";
    for page in [&ada, &bob] {
        wait_until(
            page,
            "the tile shows the connection is lost",
            reconnecting,
            CONNECT_TIMEOUT,
        )
        .await?;
    }
    // The grace period passes and ICE restarts (with new credentials on both sides).
    let restarted = format!("{ICE_UFRAG} !== '{}'", before[0]);
    wait_until(&ada, "an ICE restart", &restarted, CONNECT_TIMEOUT).await?;
    blackout.end()?;

    for (page, name) in [(&ada, "Ada"), (&bob, "Bob")] {
        page.bring_to_front().await?;
        wait_until(
            page,
            "the tile is connected again",
            &connected_tiles(1),
            CONNECT_TIMEOUT,
        )
        .await?;
        wait_until_media_flows(page, name, 1, CONNECT_TIMEOUT).await?;
        assert_eq!(
            remembered_connections(page).await?,
            (1, 1, 1),
            "{name}: the same connection"
        );
    }
    assert_ne!(
        ice_ufrag(&bob).await?,
        before[1],
        "Bob's side restarted ICE too"
    );
    Ok(())
}
