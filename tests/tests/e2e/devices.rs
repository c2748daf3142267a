//! Choosing devices with Chromium's fake cameras, fake microphones and fake speakers: the
//! pre-join page lists them and shows the microphone's level; switching the camera during a call
//! keeps the peer seeing moving video without a renegotiation, turns the first camera off, and is
//! remembered by device id for the next visit; the chosen speaker plays the meeting's sound; a
//! microphone that disappears mid-call is said so.

use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, Tab, choose, click, decoding_from, fill, join,
    live_capture_tracks, open_meeting, remote_tile, set_device, shows_muted, wait_for_text,
    wait_until, wait_until_media_flows, wait_until_moving,
};

const ROOM: &str = "e2e-devices-7hwq-2mzc-4kfn";
const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(30);

/// The device id and label of the camera track this page sends.
const SENT_CAMERA: &str = r#"(() => {
    for (const pc of window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected'))
        for (const sender of pc.getSenders())
            if (sender.track && sender.track.kind === 'video' && sender.track.readyState === 'live')
                return [sender.track.getSettings().deviceId, sender.track.label];
    return null;
})()"#;

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn the_prejoin_page_lists_the_devices_and_shows_the_microphone_level() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let page = open_meeting(&browser, &server.origin(), ROOM).await?;
    set_device(&page, "Microphone", true).await?;
    set_device(&page, "Camera", true).await?;
    // With permission, the lists name every device.
    let listed = r#"(() => {
        const options = label => [...[...document.querySelectorAll('label')]
            .find(l => l.textContent.trim().startsWith(label))?.querySelectorAll('option') ?? []]
            .map(o => o.textContent.trim());
        const cameras = options('Choose camera'), microphones = options('Choose microphone');
        return cameras.includes('fake_device_0') && cameras.includes('fake_device_2')
            && microphones.length >= 2 && options('Choose speaker').length >= 2;
    })()"#;
    wait_until(
        &page,
        "the pre-join page lists the devices",
        listed,
        TIMEOUT,
    )
    .await?;
    // Chromium's fake microphone beeps: the meter rises above a quarter.
    let meter =
        "Number(document.querySelector('meter[aria-label=\"Microphone level\"]')?.value) > 0.25";
    wait_until(&page, "the microphone level meter moves", meter, TIMEOUT).await?;
    tests::save_screenshot(&page, "prejoin-devices").await?;
    // Turning the microphone off ends its track and removes the meter.
    set_device(&page, "Microphone", false).await?;
    let gone = "document.querySelector('meter') === null";
    wait_until(&page, "the meter goes with the microphone", gone, TIMEOUT).await?;
    let live = live_capture_tracks(&page).await?;
    anyhow::ensure!(
        !live.iter().any(|track| track.starts_with("audio")),
        "a microphone track is still live: {live:?}"
    );
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn switching_the_camera_mid_call_keeps_the_peer_seeing_without_renegotiation()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, true, true).await?;
    let bob = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&bob, "Bob", PASSPHRASE, true, true).await?;
    for (page, name) in [(&ada, "Ada"), (&bob, "Bob")] {
        page.bring_to_front().await?;
        let what = format!("{name} decodes the other");
        wait_until(page, &what, &decoding_from(1), TIMEOUT).await?;
    }
    wait_until_moving(&bob, "Ada").await?;
    let sent: (String, String) = ada.read(SENT_CAMERA).await?;
    anyhow::ensure!(sent.1 == "fake_device_0", "Ada starts on {sent:?}");
    let descriptions = negotiations(&ada, &bob).await?;

    ada.bring_to_front().await?;
    click(&ada, "Devices").await?;
    let chosen = choose(&ada, "Choose camera", "fake_device_2").await?;
    let switched = format!(
        "(() => {{ const sent = {SENT_CAMERA}; return !!sent && sent[0] === {chosen:?}; }})()"
    );
    wait_until(&ada, "Ada sends the other camera", &switched, TIMEOUT).await?;
    // The first camera's light goes off: only the second camera is still capturing.
    let one_camera = "window.__stubeLocalTracks.filter(t => t.kind === 'video' && t.readyState === 'live')\
        .map(t => t.label).join() === 'fake_device_2'";
    wait_until(&ada, "the first camera is released", one_camera, TIMEOUT).await?;
    wait_until_moving(&bob, "Ada").await?;
    wait_until_media_flows(&bob, "Bob", 1, TIMEOUT).await?;
    tests::save_screenshot(&ada, "meeting-devices").await?;
    let after = negotiations(&ada, &bob).await?;
    anyhow::ensure!(
        after == descriptions,
        "switching the camera renegotiated: local descriptions {descriptions:?} -> {after:?}"
    );
    // Remembered by id, nothing else: the stored value is the chosen id, no label anywhere.
    let stored: Vec<(String, String)> = ada.read("Object.entries(localStorage)").await?;
    anyhow::ensure!(
        stored.contains(&("stube.device.camera".to_owned(), chosen.clone())),
        "the camera choice is not remembered: {stored:?}"
    );
    anyhow::ensure!(
        !stored.iter().any(|(_, value)| value.contains("fake")),
        "a device label was stored: {stored:?}"
    );

    // Bob plays the meeting's sound on the second fake speaker.
    bob.bring_to_front().await?;
    click(&bob, "Devices").await?;
    let speaker = choose(&bob, "Choose speaker", "Fake Audio Output 1").await?;
    let plays_there = format!(
        "{tile}?.querySelector('video')?.sinkId === {speaker:?}",
        tile = remote_tile("Ada")
    );
    wait_until(
        &bob,
        "Ada's sound plays on the chosen speaker",
        &plays_there,
        TIMEOUT,
    )
    .await?;

    // Ada's microphone disappears (as when a headset is unplugged): she is told, the button says
    // she is muted, Bob sees her muted.
    ada.bring_to_front().await?;
    ada.read::<bool>(
        "(() => { const t = window.__stubeLocalTracks.find(t => t.kind === 'audio' && t.readyState === 'live'); \
         t.dispatchEvent(new Event('ended')); return true; })()",
    )
    .await?;
    wait_for_text(&ada, "Your microphone was disconnected", TIMEOUT).await?;
    wait_until(
        &ada,
        "Ada's microphone button offers to unmute",
        &format!("{} !== undefined", tests::button("Unmute microphone")),
        TIMEOUT,
    )
    .await?;
    let muted = shows_muted(&remote_tile("Ada"), "Microphone off");
    wait_until(&bob, "Bob sees Ada muted", &muted, TIMEOUT).await?;

    // Next visit: the pre-join page starts the remembered camera.
    click(&ada, "Leave meeting").await?;
    // Leaving after a switch turns every device off: no capture track is live.
    let all_off = "window.__stubeLocalTracks.every(t => t.readyState === 'ended')";
    wait_until(
        &ada,
        "Ada's devices are off after leaving",
        all_off,
        TIMEOUT,
    )
    .await?;
    drop(ada);
    let again = open_meeting(&browser, &server.origin(), ROOM).await?;
    fill(&again, "Your name", "Ada").await?;
    set_device(&again, "Camera", true).await?;
    let remembered = "window.__stubeLocalTracks.some(t => t.kind === 'video' && t.readyState === 'live' \
        && t.label === 'fake_device_2')";
    wait_until(&again, "the remembered camera starts", remembered, TIMEOUT).await?;
    browser.close().await
}

/// How many offers and answers each page has set so far.
async fn negotiations(ada: &Page, bob: &Page) -> anyhow::Result<(u64, u64)> {
    const COUNT: &str = "window.__stubeLocalDescriptions";
    Ok((ada.read(COUNT).await?, bob.read(COUNT).await?))
}
