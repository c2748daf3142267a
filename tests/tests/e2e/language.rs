//! The UI's language: a German browser sees no English on the start page, the pre-join page or a
//! meeting with every panel open; the switch at the foot of the page turns a running meeting into
//! German at once, without touching the call, and this browser remembers the choice.

use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, Tab, accessibility_violations, button, choose, click,
    connected_tiles, fill, join, open_meeting, pick, save_screenshot, set_device, set_viewport,
    wait_for_text, wait_until,
};

const ROOM: &str = "e2e-language-4hqz-7kmv-2wdt";
const PASSPHRASE: &str = "correct horse battery staple";
const LOAD: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// English words of the UI whose German differs, from every page and panel. Words the same in
/// both languages ("Chat", "Passphrase", "Name") are not here, nor "English", the switch's name
/// for English in every language.
const ENGLISH: &[&str] = &[
    // The start page and a new meeting.
    "Encrypted video meetings",
    "Start a meeting",
    "Join a meeting",
    "Meeting link or name",
    "Meeting name",
    "Copy invite link",
    "Copy passphrase",
    "Send the passphrase by a different channel",
    "Put the passphrase in the link",
    "Go to the meeting",
    // The pre-join page.
    "Your name",
    "Camera",
    "Microphone",
    "Audio only",
    "Join",
    "Hide my IP address",
    "relay server",
    "Choose camera",
    "Choose microphone",
    "Choose speaker",
    "system's speaker",
    // The meeting, its panels, badges and toasts.
    "Waiting for others",
    "Mute microphone",
    "Unmute microphone",
    "Microphone off",
    "Stop camera",
    "Start camera",
    "Raise hand",
    "Lower hand",
    "Hand raised",
    "raised their hand",
    "joined",
    "Share screen",
    "Send file",
    "Files up to",
    "Save",
    "Sent",
    "Devices",
    "Leave meeting",
    "Keys: M",
    "Participants",
    "(You)",
    "Guest",
    "Connection details",
    "Connected",
    "Connecting",
    "direct",
    "Safety number",
    "Read it aloud",
    "Mark as verified",
    "Verified",
    "could not be opened",
    "Message",
    "Clear chat",
    "Clear for everyone",
    "No messages",
    // The footer.
    "Privacy",
    "Imprint",
    "opens in a new tab",
    "Language",
];

/// Everything a page says: its title, its visible text, and the accessible names, tooltips and
/// placeholders of its elements.
const EVERYTHING_SAID: &str = r#"(() => [document.title, document.body.innerText,
    ...[...document.querySelectorAll('[aria-label], [title], [placeholder]')]
        .flatMap(e => ['aria-label', 'title', 'placeholder'].map(a => e.getAttribute(a) || ''))].join('\n'))()"#;

/// The words of [`ENGLISH`] in `said`.
fn english_in(said: &str) -> Vec<&'static str> {
    ENGLISH
        .iter()
        .copied()
        .filter(|text| said.contains(text))
        .collect()
}

/// Fails if `page` says any of the English words, or does not declare itself German.
async fn assert_german(page: &impl Tab, what: &str) -> anyhow::Result<()> {
    let said: String = page.read(EVERYTHING_SAID).await?;
    let english = english_in(&said);
    assert!(
        english.is_empty(),
        "{what} says {english:?} in English; it says:\n{said}"
    );
    let lang: String = page.read("document.documentElement.lang").await?;
    assert_eq!(lang, "de", "{what}: <html lang>");
    Ok(())
}

async fn assert_accessible(page: &Page, what: &str) -> anyhow::Result<()> {
    let violations = accessibility_violations(page).await?;
    assert!(
        violations.is_empty(),
        "{what} violates WCAG 2.1 A/AA:\n{}",
        violations.join("\n")
    );
    Ok(())
}

/// Fills the German pre-join form and joins with camera and microphone on.
async fn join_in_german(page: &impl Tab, name: &str) -> anyhow::Result<()> {
    fill(page, "Ihr Name", name).await?;
    fill(page, "Passphrase", PASSPHRASE).await?;
    set_device(page, "Kamera", true).await?;
    set_device(page, "Mikrofon", true).await?;
    click(page, "Teilnehmen").await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_german_browser_sees_no_english_on_any_page_with_every_panel_open() -> anyhow::Result<()>
{
    let server = Server::start(&[])?;
    let browser = Browser::launch_in(Devices::Allowed, "de-DE").await?;

    let home = browser.blank_page().await?;
    home.goto(format!("{}/", server.origin())).await?;
    wait_for_text(&home, "Besprechung starten", LOAD).await?;
    click(&home, "Besprechung starten").await?;
    wait_for_text(&home, "Passphrase kopieren", LOAD).await?;
    assert_german(&home, "the start page with a new meeting").await?;
    save_screenshot(&home, "language-de-home").await?;
    set_viewport(&home, 390, 844, true).await?;
    assert!(
        home.read::<bool>("document.documentElement.scrollWidth <= window.innerWidth")
            .await?,
        "the footer with the language switch makes a phone's page scroll sideways"
    );
    save_screenshot(&home, "language-de-home-phone").await?;

    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    set_device(&ada, "Kamera", true).await?;
    set_device(&ada, "Mikrofon", true).await?;
    wait_for_text(&ada, "Kamera wählen", LOAD).await?;
    assert_german(&ada, "the pre-join page with devices and level meter").await?;
    join_in_german(&ada, "Ada").await?;
    let grace = open_meeting(&browser, &server.origin(), ROOM).await?;
    join_in_german(&grace, "Grace").await?;
    for page in [&ada, &grace] {
        wait_until(
            page,
            "Ada and Grace are connected",
            &connected_tiles(1),
            CONNECT_TIMEOUT,
        )
        .await?;
    }

    // Every panel open, and what the other does shown: a file received, a hand raised, a mark.
    click(&ada, "Chat").await?;
    click(&ada, "Geräte").await?;
    ada.read::<bool>(
        "(() => { document.querySelectorAll('details').forEach(d => d.open = true); return true; })()",
    )
    .await?;
    grace
        .read::<bool>(&pick("new File(['Tagesordnung'], 'protokoll.txt')"))
        .await?;
    click(&grace, "Hand heben").await?;
    wait_for_text(&ada, "Speichern", LOAD).await?;
    wait_for_text(&ada, "Grace hebt die Hand", LOAD).await?;
    click(&ada, "Als verifiziert markieren").await?;
    wait_for_text(&ada, "Verifiziert", LOAD).await?;
    wait_for_text(&grace, "Gesendet", LOAD).await?;
    save_screenshot(&ada, "language-de-meeting").await?;
    assert_german(&ada, "the meeting with every panel open").await?;
    assert_german(&grace, "the meeting of the one who sent a file").await?;
    assert_accessible(&ada, "the German meeting").await?;
    browser.close().await
}

/// Peer connections of the page that are connected, and all it ever made.
const CONNECTIONS: &str = "[window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected').length, \
     window.__stubePeerConnections.length]";

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn switching_to_german_in_a_meeting_changes_every_word_at_once_keeps_the_call_and_is_remembered()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, true, true).await?;
    // Grace gives no name: her tile says "Guest", which must follow the switch too.
    let grace = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&grace, "", PASSPHRASE, true, true).await?;
    for page in [&ada, &grace] {
        wait_until(
            page,
            "Ada and Grace are connected",
            &connected_tiles(1),
            CONNECT_TIMEOUT,
        )
        .await?;
    }
    click(&ada, "Chat").await?;
    // A line from Grace: its sender, "Guest", must follow the switch as well.
    click(&grace, "Chat").await?;
    fill(&grace, "Message", "Hallo").await?;
    click(&grace, "Send").await?;
    let from_guest = "[...document.querySelectorAll('.chat-lines .who')].some(who => who.textContent === 'Guest')";
    wait_until(
        &ada,
        "Ada sees Grace's line from \"Guest\"",
        from_guest,
        CONNECT_TIMEOUT,
    )
    .await?;
    // The check below proves something only if the words it looks for are what an English
    // meeting says.
    let english = english_in(&ada.read::<String>(EVERYTHING_SAID).await?);
    assert!(
        english.len() >= 20,
        "the English meeting says only {english:?} of the English words"
    );
    let before: [usize; 2] = ada.read(CONNECTIONS).await?;
    assert_eq!(before[0], 1, "Ada's connection to Grace before the switch");
    let lang: String = ada.read("document.documentElement.lang").await?;
    assert_eq!(lang, "en", "<html lang> of an English browser");

    choose(&ada, "Language", "Deutsch").await?;
    wait_until(
        &ada,
        "the meeting speaks German",
        &format!("{} !== undefined", button("Besprechung verlassen")),
        Duration::from_secs(1),
    )
    .await?;
    assert_german(&ada, "the meeting just switched to German").await?;
    save_screenshot(&ada, "language-switched-meeting").await?;
    assert!(
        ada.read::<bool>(&connected_tiles(1)).await?,
        "Grace's tile is no longer shown as connected after the switch"
    );
    let after: [usize; 2] = ada.read(CONNECTIONS).await?;
    assert_eq!(
        after, before,
        "[connected, ever made] peer connections: the switch touched the call"
    );
    wait_for_text(&grace, "Leave meeting", LOAD).await?;

    ada.reload().await?;
    wait_for_text(&ada, "Teilnehmen", LOAD).await?;
    assert_german(&ada, "the pre-join page after a reload").await?;
    save_screenshot(&ada, "language-remembered-prejoin").await?;
    browser.close().await
}
