//! An audio-only participant: the camera is never requested, no video is sent to or received from
//! anyone (nothing is decoded), audio flows both ways, and the tiles show names and initials.

use std::time::Duration;
use tests::{
    Browser, Devices, Inbound, Page, Server, button, click, connected_tiles, fill, inbound_media,
    join, open_meeting, set_device, wait_until,
};

const ROOM: &str = "e2e-audio-8pqr-4vbn-6kxd";
const PASSPHRASE: &str = "correct horse battery staple";

/// Waits until `page`'s one connection has received more audio than `before` shows.
async fn audio_grows(page: &Page, who: &str, before: &[Inbound]) -> anyhow::Result<Inbound> {
    let bytes = before.first().map_or(0, |inbound| inbound.audio_bytes);
    wait_until(
        page,
        &format!("{who} receives audio"),
        &format!(
            "(async () => {{ let audio = 0; for (const pc of window.__stubePeerConnections) {{ \
             if (pc.connectionState !== 'connected') continue; (await pc.getStats()).forEach(r => {{ \
             if (r.type === 'inbound-rtp' && r.kind === 'audio') audio += r.bytesReceived || 0; }}); }} \
             return audio > {bytes} + 2000; }})()"
        ),
        Duration::from_secs(20),
    )
    .await?;
    let now = inbound_media(page).await?;
    now.into_iter()
        .find(|inbound| inbound.connected)
        .ok_or_else(|| anyhow::anyhow!("{who} has no connected peer connection"))
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn an_audio_only_participant_sends_and_receives_no_video_and_audio_flows_both_ways()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, true, true).await?;

    let bob = open_meeting(&browser, &server.origin(), ROOM).await?;
    fill(&bob, "Your name", "Bob").await?;
    fill(&bob, "Passphrase", PASSPHRASE).await?;
    set_device(&bob, "Microphone", true).await?;
    click(&bob, "Audio only").await?;
    let camera = button("Camera");
    let camera_refused = format!(
        "!!{camera} && {camera}.disabled && {camera}.getAttribute('aria-pressed') === 'false'"
    );
    wait_until(
        &bob,
        "the camera cannot be turned on",
        &camera_refused,
        Duration::from_secs(5),
    )
    .await?;
    click(&bob, "Join").await?;

    for (page, who) in [(&ada, "Ada"), (&bob, "Bob")] {
        wait_until(
            page,
            &format!("{who} is connected"),
            &connected_tiles(1),
            Duration::from_secs(30),
        )
        .await?;
    }
    let ada_hears = audio_grows(&ada, "Ada", &[]).await?;
    let bob_hears = audio_grows(&bob, "Bob", &[]).await?;
    // Audio keeps flowing both ways, and no video at all, in either direction.
    let ada_later = audio_grows(&ada, "Ada", &[ada_hears]).await?;
    let bob_later = audio_grows(&bob, "Bob", &[bob_hears]).await?;
    for (who, inbound) in [("Ada (from Bob)", ada_later), ("Bob (from Ada)", bob_later)] {
        assert_eq!(
            (inbound.video_bytes, inbound.video_frames),
            (0, 0),
            "{who} received video: {inbound:?}"
        );
    }
    // The page may have turned the camera on when it opened (this browser remembered Ada's
    // choice); audio only turned it off, and it stays off.
    let live_cameras: usize = bob
        .evaluate("window.__stubeLocalTracks.filter(t => t.kind === 'video' && t.readyState === 'live').length")
        .await?
        .into_value()?;
    assert_eq!(live_cameras, 0, "Bob's camera is on in an audio-only call");
    // Each sees the other's name and initials, not a black picture.
    for (page, initials) in [(&ada, "B"), (&bob, "A")] {
        let shown: String = page
            .evaluate(
                "document.querySelector('.tile.remote.camera-off .initials')?.innerText ?? ''",
            )
            .await?
            .into_value()?;
        assert_eq!(shown, initials);
    }

    // This browser now remembers "Audio only": a page opened now never asks for the camera.
    let carol = open_meeting(&browser, &server.origin(), ROOM).await?;
    let settled = format!(
        "{}?.getAttribute('aria-pressed') === 'true' && {}?.disabled === true && {}?.disabled === false",
        button("Audio only"),
        button("Camera"),
        button("Microphone")
    );
    wait_until(
        &carol,
        "the pre-join page starts audio only",
        &settled,
        Duration::from_secs(10),
    )
    .await?;
    let requested: usize = carol
        .evaluate("window.__stubeLocalTracks.filter(t => t.kind === 'video').length")
        .await?
        .into_value()?;
    assert_eq!(requested, 0, "an audio-only page asked for the camera");
    carol.close().await?;

    // Video comes back when Bob leaves audio-only and starts his camera.
    click(&bob, "Audio only").await?;
    click(&bob, "Start camera").await?;
    wait_until(
        &ada,
        "Ada decodes Bob's video",
        &tests::decoding_from(1),
        Duration::from_secs(20),
    )
    .await?;
    browser.close().await
}
