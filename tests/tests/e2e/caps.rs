//! The sending caps of a full mesh ([`mesh::video_caps`], reasoning in ARCHITECTURE.md): in a
//! four-person call every sender keeps to the caps for four, and what arrives is no larger.

use std::time::Duration;
use tests::{Browser, Devices, Server, decoding_from, join, open_meeting, wait_until};

const ROOM: &str = "e2e-caps-6tqm-3xhd-8vwp";
const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(40);

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn in_a_four_person_call_every_sender_keeps_to_the_caps_for_four() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let names = ["Ada", "Bob", "Cem", "Dua"];
    let mut pages = Vec::new();
    for name in names {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        join(&page, name, PASSPHRASE, true, true).await?;
        pages.push(page);
    }
    let caps = mesh::video_caps(4);
    // Every connected connection's video sender, against the caps for the page's own capture.
    let senders_capped = format!(
        r#"(() => {{
        const live = window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected');
        if (live.length !== 3) return false;
        return live.every(pc => {{
            const sender = pc.getTransceivers().find(t => t.receiver.track.kind === 'video').sender;
            const height = sender.track?.getSettings().height;
            const encoding = sender.getParameters().encodings[0];
            return !!height && !!encoding
                && encoding.maxBitrate === {bitrate}
                && encoding.maxFramerate === {framerate}
                && Math.abs(encoding.scaleResolutionDownBy - Math.max(1, height / {max_height})) < 1e-6;
        }});
    }})()"#,
        bitrate = caps.max_bitrate,
        framerate = caps.max_framerate,
        max_height = caps.max_height,
    );
    for (page, name) in pages.iter().zip(names) {
        page.bring_to_front().await?;
        wait_until(
            page,
            &format!("{name} decodes three peers"),
            &decoding_from(3),
            TIMEOUT,
        )
        .await?;
        let what = format!("{name} sends within the caps for four ({caps:?})");
        wait_until(page, &what, &senders_capped, TIMEOUT).await?;
    }
    // What arrives: the decoded pictures are at most the cap high (the heights, if not).
    let received_within = format!(
        r#"(async () => {{
        const heights = [];
        for (const pc of window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected')) {{
            (await pc.getStats()).forEach(r => {{
                if (r.type === 'inbound-rtp' && r.kind === 'video') heights.push(r.frameHeight || 0);
            }});
        }}
        return heights.length === 3 && heights.every(h => h > 0 && h <= {max_height}) || heights;
    }})()"#,
        max_height = caps.max_height,
    );
    for (page, name) in pages.iter().zip(names) {
        page.bring_to_front().await?;
        let what = format!("{name} receives pictures at most {} high", caps.max_height);
        wait_until(page, &what, &received_within, TIMEOUT).await?;
    }
    browser.close().await
}
