//! The chat between browsers: a message arrives with the sender's verified name and the local
//! time, a link stays text, the unread badge counts, and "Clear for everyone" empties every
//! browser's chat and says who asked.

use std::time::Duration;
use tests::{
    Browser, Devices, Server, click, connected_tiles, fill, join, open_meeting, wait_for_text,
    wait_until,
};

const ROOM: &str = "e2e-chat-5rwq-3mzt-8kvh";
const PASSPHRASE: &str = "correct horse battery staple";
const MESSAGE: &str = "The agenda is at https://example.org/agenda";

/// The chat lines the page shows, as "name|text".
const LINES: &str = "[...document.querySelectorAll('.chat-lines li')].map(li => \
    li.querySelector('.who').textContent + '|' + li.querySelector('.text').textContent)";

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_message_reaches_the_other_with_the_verified_name_and_clearing_for_everyone_empties_both()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, false, false).await?;
    let grace = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&grace, "Grace", PASSPHRASE, false, false).await?;
    for page in [&ada, &grace] {
        wait_until(
            page,
            "the two are connected",
            &connected_tiles(1),
            Duration::from_secs(30),
        )
        .await?;
    }

    click(&ada, "Chat").await?;
    fill(&ada, "Message", MESSAGE).await?;
    click(&ada, "Send").await?;
    let badge = "document.querySelector('.badge')?.textContent.trim() === '1'";
    wait_until(
        &grace,
        "Grace's Chat button shows one unread message",
        badge,
        Duration::from_secs(5),
    )
    .await?;
    click(&grace, "Chat").await?;
    let expected = format!("Ada|{MESSAGE}");
    let arrived = format!("{LINES}.includes({})", serde_json::json!(expected));
    wait_until(
        &grace,
        "Grace sees Ada's message",
        &arrived,
        Duration::from_secs(5),
    )
    .await?;
    // On the wire (inside DTLS) the frame is sealed under Ada's chat stream: no chat text.
    let payloads: Vec<String> = ada
        .evaluate("window.__stubeChannelPayloads")
        .await?
        .into_value()?;
    assert!(!payloads.is_empty(), "Ada sent nothing on a data channel");
    assert!(
        payloads.iter().all(|payload| !payload.contains("agenda")),
        "a chat frame left the page unsealed: {payloads:?}"
    );
    let time_and_text_only: bool = grace
        .evaluate(
            "(() => { const li = document.querySelector('.chat-lines li'); \
             return /^\\d\\d:\\d\\d$/.test(li.querySelector('time').textContent) && li.querySelector('a') === null; })()",
        )
        .await?
        .into_value()?;
    assert!(
        time_and_text_only,
        "a message shows a local time, and its link stays text"
    );
    wait_until(
        &grace,
        "the badge goes once the panel is open",
        "document.querySelector('.badge') === null",
        Duration::from_secs(5),
    )
    .await?;

    // A frame tampered with inside the connection (one byte flipped) is dropped and counted,
    // never shown; the next genuine one still arrives.
    ada.evaluate("window.__stubeFlipNext = true").await?;
    fill(&ada, "Message", "forged line").await?;
    click(&ada, "Send").await?;
    wait_until(
        &grace,
        "Grace counts the tampered frame",
        "document.querySelector('details.details')?.textContent.includes('1 message could not be opened')",
        Duration::from_secs(5),
    )
    .await?;
    fill(&ada, "Message", "genuine line").await?;
    click(&ada, "Send").await?;
    let genuine = format!("{LINES}.includes('Ada|genuine line')");
    wait_until(
        &grace,
        "Grace sees the next message",
        &genuine,
        Duration::from_secs(5),
    )
    .await?;
    let forged: bool = grace
        .evaluate(format!("{LINES}.some(line => line.includes('forged'))"))
        .await?
        .into_value()?;
    assert!(!forged, "Grace shows the tampered message");

    click(&grace, "Clear for everyone").await?;
    wait_for_text(
        &ada,
        "Grace cleared the chat for everyone",
        Duration::from_secs(5),
    )
    .await?;
    for page in [&ada, &grace] {
        wait_until(
            page,
            "the chat is empty",
            &format!("{LINES}.length === 0"),
            Duration::from_secs(5),
        )
        .await?;
    }
    browser.close().await
}
