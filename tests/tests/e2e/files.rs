//! Files: a 20 MB file sent to two others arrives byte-identical on both (SHA-256 compared) and is
//! offered for saving, never opened; a file sent to one person reaches only them; a transfer
//! cancelled half way leaves nothing to save on
//! either side; a file over the 2 GiB limit is refused with the message before any byte is sent.

use std::time::Duration;
use tests::{
    Browser, Devices, FILE_TOOLS, Server, Tab, connected_tiles, drop_onto_meeting, join,
    open_meeting, pick, received_hash, save_link, wait_for_text, wait_until,
};

const ROOM: &str = "e2e-files-3kdp-8wmt-5qzr";
const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(60);
const TWENTY_MB: usize = 20 * 1000 * 1000;

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn files_arrive_whole_cancel_on_both_sides_and_the_limit_holds() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let names = ["Ada", "Bob", "Cem"];
    let mut pages = Vec::new();
    for name in names {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        join(&page, name, PASSPHRASE, false, false).await?;
        pages.push(page);
    }
    for (page, name) in pages.iter().zip(names) {
        page.bring_to_front().await?;
        let what = format!("{name} is connected to both others");
        wait_until(page, &what, &connected_tiles(2), TIMEOUT).await?;
        page.read::<bool>(FILE_TOOLS).await?;
    }
    let (ada, others) = pages.split_first().expect("three pages");

    // 20 MB to both, through the picker.
    ada.bring_to_front().await?;
    ada.read::<bool>("(window.__report = window.__makeFile('report.bin', 20000000, 7), true)")
        .await?;
    let sent: String = ada.read("window.__sha256(window.__report)").await?;
    ada.read::<bool>(&pick("window.__report")).await?;
    for (page, name) in others.iter().zip(&names[1..]) {
        page.bring_to_front().await?;
        let what = format!("{name} is offered report.bin for saving");
        wait_until(
            page,
            &what,
            &format!("{} !== null", save_link("report.bin")),
            TIMEOUT,
        )
        .await?;
        wait_for_text(page, "report.bin (20.0 MB) · Ada", TIMEOUT).await?;
        let hash = received_hash(page, "report.bin").await?;
        anyhow::ensure!(
            hash == sent,
            "{name} received {hash}, Ada sent {sent} ({TWENTY_MB} bytes)"
        );
    }
    wait_for_text(ada, "Sent", TIMEOUT).await?;
    // Bob's window is narrow: the controls take two rows, and the toasts of the joins must stay
    // off them.
    let covering = tests::covering_toasts(&others[0], false).await?;
    anyhow::ensure!(covering.is_empty(), "on Bob's page {covering:?}");
    tests::save_screenshot(&others[0], "files").await?;

    // To Bob alone, from his entry in the participants list.
    ada.bring_to_front().await?;
    let bobs_picker = "[...document.querySelectorAll('li.participant')].find(li => li.querySelector('.name')?.textContent === 'Bob')\
        ?.querySelector('input[type=file]')";
    let to_bob = |name: &str| {
        format!(
            "(() => {{ const input = {bobs_picker}; const button = input?.nextElementSibling; \
             if (button?.getAttribute('aria-label') !== 'Send file to Bob') return false; \
             const data = new DataTransfer(); data.items.add(new File(['for your eyes'], '{name}')); \
             input.files = data.files; input.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
        )
    };
    anyhow::ensure!(
        ada.read::<bool>(&to_bob("for-bob.txt")).await?,
        "no \"Send file to Bob\" on Ada's list"
    );
    let bob = &others[0];
    bob.bring_to_front().await?;
    wait_until(
        bob,
        "Bob is offered for-bob.txt",
        &format!("{} !== null", save_link("for-bob.txt")),
        TIMEOUT,
    )
    .await?;
    let cem = &others[1];
    cem.bring_to_front().await?;
    let cem_sees: bool = cem
        .read("document.body.innerText.includes('for-bob.txt')")
        .await?;
    anyhow::ensure!(!cem_sees, "Cem was offered a file sent to Bob alone");

    // A file frame tampered with inside the connection is dropped and counted, and the file that
    // lost its chunk is not offered for saving.
    ada.bring_to_front().await?;
    ada.evaluate("window.__stubeFlipLabel = 'files'; window.__stubeFlipNext = 1")
        .await?;
    anyhow::ensure!(
        ada.read::<bool>(&to_bob("forged.txt")).await?,
        "no \"Send file to Bob\" on Ada's list"
    );
    bob.bring_to_front().await?;
    wait_until(
        bob,
        "Bob counts the tampered file frame",
        "document.querySelector('details.details')?.textContent.includes('1 message could not be opened')",
        TIMEOUT,
    )
    .await?;
    let broken_off = "[...document.querySelectorAll('li.transfer')].some(li => li.textContent.includes('forged.txt') \
        && li.textContent.includes('The transfer broke off'))";
    wait_until(bob, "Bob shows forged.txt broken off", broken_off, TIMEOUT).await?;
    let saveable: bool = bob
        .read(&format!("{} !== null", save_link("forged.txt")))
        .await?;
    anyhow::ensure!(
        !saveable,
        "Bob offers a file with a forged chunk for saving"
    );
    ada.evaluate("window.__stubeFlipLabel = null").await?;

    // A large file dropped onto the meeting, cancelled by Ada half way: nothing to save anywhere.
    ada.bring_to_front().await?;
    ada.read::<bool>(&drop_onto_meeting(
        "window.__makeFile('video.bin', 150000000, 11)",
    ))
    .await?;
    let under_way = "[...document.querySelectorAll('li.transfer')].some(li => li.textContent.includes('video.bin') \
        && Number(li.dataset.percent) >= 5)";
    wait_until(
        ada,
        "Ada's second transfer is under way",
        under_way,
        TIMEOUT,
    )
    .await?;
    tests::click(ada, "Cancel video.bin").await?;
    for (page, name) in pages.iter().zip(names) {
        page.bring_to_front().await?;
        let cancelled = "[...document.querySelectorAll('li.transfer')].some(li => li.textContent.includes('video.bin') \
            && li.textContent.includes('Cancelled'))";
        wait_until(
            page,
            &format!("{name} shows video.bin cancelled"),
            cancelled,
            TIMEOUT,
        )
        .await?;
        let saveable: bool = page
            .read(&format!("{} !== null", save_link("video.bin")))
            .await?;
        anyhow::ensure!(!saveable, "{name} offers a cancelled file for saving");
    }

    // Over the limit: refused with the message, nothing sent on any data channel.
    ada.bring_to_front().await?;
    let before: u64 = ada.read("window.__stubeChannelPayloads.length").await?;
    ada.read::<bool>(&pick(
        "(() => { const f = new File(['x'], 'huge.iso'); Object.defineProperty(f, 'size', { value: 3 * 1024 ** 3 }); return f; })()",
    ))
    .await?;
    wait_for_text(ada, "larger than the limit of 2 GiB", TIMEOUT).await?;
    let after: u64 = ada.read("window.__stubeChannelPayloads.length").await?;
    anyhow::ensure!(
        after == before,
        "{} frames left after the refusal",
        after - before
    );
    browser.close().await
}
