//! Raise hand: the others see the hand on the tile and in the list with its place in the order,
//! are told by a toast (a live region), and it goes down with one click or the H key.

use std::time::Duration;
use tests::{
    Browser, Devices, Server, button, click, connected_tiles, join, open_meeting, wait_for_text,
    wait_until,
};

const ROOM: &str = "e2e-hands-3kqm-7xhd-2vwp";
const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn a_raised_hand_shows_in_order_for_everyone_and_goes_down_again() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada", PASSPHRASE, false, false).await?;
    let bob = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&bob, "Bob", PASSPHRASE, false, false).await?;
    for page in [&ada, &bob] {
        wait_until(page, "one connected tile", &connected_tiles(1), TIMEOUT).await?;
    }

    click(&ada, "Raise hand").await?;
    let first = "document.querySelectorAll('.tile.remote .hand-badge[aria-label=\"Hand raised (1)\"], \
                 .participant .hand-badge[aria-label=\"Hand raised (1)\"]').length === 2";
    wait_until(
        &bob,
        "Ada's hand, first, on her tile and in the list",
        first,
        TIMEOUT,
    )
    .await?;
    wait_for_text(&bob, "Ada raised their hand", TIMEOUT).await?;
    let lowered_button = format!(
        "{}?.getAttribute('aria-pressed') === 'true'",
        button("Lower hand")
    );
    wait_until(
        &ada,
        "Ada's button says it lowers the hand",
        &lowered_button,
        TIMEOUT,
    )
    .await?;

    click(&bob, "Raise hand").await?;
    let second = "document.querySelector('.tile.remote .hand-badge')?.getAttribute('aria-label') === 'Hand raised (2)' \
                  && document.querySelector('.tile.local .hand-badge')?.getAttribute('aria-label') === 'Hand raised (1)'";
    wait_until(&ada, "Bob's hand second, Ada's own first", second, TIMEOUT).await?;

    // The H key lowers it again (focus not in a text field).
    ada.evaluate("document.activeElement?.blur(); document.dispatchEvent(new KeyboardEvent('keydown', { key: 'h', bubbles: true })); true")
        .await?;
    let gone = "document.querySelector('.tile.remote .hand-badge') === null \
                && document.querySelector('.tile.local .hand-badge')?.getAttribute('aria-label') === 'Hand raised (1)'";
    wait_until(
        &bob,
        "Ada's hand is down, Bob's is now first",
        gone,
        TIMEOUT,
    )
    .await?;
    browser.close().await
}
