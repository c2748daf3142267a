//! Every page a person meets passes axe-core's WCAG 2.1 A and AA rules: the start page with a new
//! meeting, the pre-join form, the meeting with another participant, and the lobby after a
//! passphrase mismatch.

use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, Tab, accessibility_violations, click, connected_tiles, join,
    open_meeting, set_device, wait_for_text, wait_until,
};

const ROOM: &str = "e2e-access-6hwm-2kcz-9rtd";
const PASSPHRASE: &str = "correct horse battery staple";

async fn assert_accessible(page: &Page, what: &str) -> anyhow::Result<()> {
    let violations = accessibility_violations(page).await?;
    assert!(
        violations.is_empty(),
        "{what} violates WCAG 2.1 A/AA:\n{}",
        violations.join("\n")
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, axe-core, private network namespace)"]
async fn every_page_passes_wcag_2_1_a_and_aa() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;

    let home = browser.blank_page().await?;
    home.goto(format!("{}/", server.origin())).await?;
    wait_for_text(&home, "Start a meeting", Duration::from_secs(20)).await?;
    click(&home, "Start a meeting").await?;
    wait_for_text(&home, "Copy passphrase", Duration::from_secs(5)).await?;
    assert_accessible(&home, "the start page with a new meeting").await?;

    let host = open_meeting(&browser, &server.origin(), ROOM).await?;
    assert_accessible(&host, "the pre-join form").await?;
    set_device(&host, "Microphone", true).await?;
    set_device(&host, "Camera", true).await?;
    wait_for_text(&host, "Choose camera", Duration::from_secs(10)).await?;
    assert_accessible(&host, "the pre-join form with devices and level meter").await?;
    join(&host, "Host", PASSPHRASE, true, true).await?;
    let guest = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&guest, "Guest", PASSPHRASE, true, true).await?;
    wait_until(
        &guest,
        "the guest is connected",
        &connected_tiles(1),
        Duration::from_secs(30),
    )
    .await?;
    assert_accessible(&guest, "the meeting").await?;
    click(&guest, "Chat").await?;
    wait_for_text(&guest, "Clear for everyone", Duration::from_secs(5)).await?;
    assert_accessible(&guest, "the meeting with the chat open").await?;
    click(&guest, "Devices").await?;
    wait_for_text(&guest, "Choose microphone", Duration::from_secs(5)).await?;
    assert_accessible(&guest, "the meeting with the devices open").await?;
    host.read::<bool>(
        "(() => { const input = document.querySelector('.controls input[type=file]'); const data = new DataTransfer(); \
         data.items.add(new File(['minutes of the meeting'], 'notes.txt')); input.files = data.files; \
         input.dispatchEvent(new Event('change', { bubbles: true })); return true; })()",
    )
    .await?;
    guest.bring_to_front().await?;
    wait_for_text(&guest, "notes.txt", Duration::from_secs(10)).await?;
    assert_accessible(&guest, "the meeting with a received file").await?;

    let intruder = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(
        &intruder,
        "Intruder",
        "a different passphrase",
        false,
        false,
    )
    .await?;
    wait_for_text(
        &intruder,
        "Enter the passphrase again",
        Duration::from_secs(10),
    )
    .await?;
    assert_accessible(&intruder, "the lobby after a passphrase mismatch").await?;
    browser.close().await
}
