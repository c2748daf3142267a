//! Screen sharing with Chromium's fake screen: the share reaches both others as a second video
//! beside the camera, large in the presenter layout, and goes on both when stopped; the camera
//! keeps flowing throughout.

use std::time::Duration;
use tests::{
    Browser, Devices, Server, click, decoding_from, join, open_meeting, wait_for_text, wait_until,
    wait_until_media_flows, wait_until_moving,
};

const ROOM: &str = "e2e-screen-5kqm-9xhd-3vwp";
const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(30);

/// The screen tile's video plays new frames (its time moves on), in the presenter layout.
const SCREEN_PLAYS: &str = r#"(async () => {
    const video = document.querySelector('.grid.presenting .tile.screen video');
    if (!video || video.readyState < 2 || video.videoWidth === 0) return false;
    const start = video.currentTime;
    await new Promise(resolve => setTimeout(resolve, 300));
    return video.currentTime > start;
})()"#;

/// Inbound video streams that decode, over all connected connections.
const DECODING_VIDEOS: &str = r#"(async () => {
    let count = 0;
    for (const pc of window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected'))
        (await pc.getStats()).forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded > 0) count += 1; });
    return count;
})()"#;

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_shared_screen_reaches_both_others_beside_the_camera_and_goes_when_stopped()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let names = ["Ada", "Bob", "Cem"];
    let mut pages = Vec::new();
    for name in names {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        join(&page, name, PASSPHRASE, true, true).await?;
        pages.push(page);
    }
    for (page, name) in pages.iter().zip(names) {
        page.bring_to_front().await?;
        wait_until(
            page,
            &format!("{name} decodes both others"),
            &decoding_from(2),
            TIMEOUT,
        )
        .await?;
    }
    let ada = &pages[0];
    click(ada, "Share screen").await?;
    wait_for_text(ada, "You are sharing your screen", TIMEOUT).await?;
    for (page, name) in pages.iter().zip(names).skip(1) {
        page.bring_to_front().await?;
        wait_for_text(page, "Screen of Ada", TIMEOUT).await?;
        wait_until(
            page,
            &format!("{name} sees Ada's screen play, large"),
            SCREEN_PLAYS,
            TIMEOUT,
        )
        .await?;
        let three = format!("{DECODING_VIDEOS}.then(count => count === 3)");
        wait_until(
            page,
            &format!("{name} decodes Ada's screen as a third video"),
            &three,
            TIMEOUT,
        )
        .await?;
        wait_until_moving(page, "Ada").await?;
    }
    tests::save_screenshot(&pages[1], "screen-share").await?;

    click(ada, "Stop sharing").await?;
    let gone = "document.querySelector('.tile.screen') === null \
                && !document.body.innerText.includes('You are sharing your screen')";
    for (page, name) in pages.iter().zip(names) {
        page.bring_to_front().await?;
        wait_until(
            page,
            &format!("{name} no longer shows the share"),
            gone,
            TIMEOUT,
        )
        .await?;
        wait_until_media_flows(page, name, 2, TIMEOUT).await?;
    }
    wait_until_moving(&pages[1], "Ada").await?;
    browser.close().await
}
