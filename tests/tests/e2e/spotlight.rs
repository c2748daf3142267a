//! In a meeting of four, the one who speaks is shown large; and the participants list, which
//! shows who has camera and microphone off, closes and opens with its button and the P key.

use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, Tab, button, click, connected_tiles, join, open_meeting,
    remote_tile, set_viewport, wait_until,
};

const ROOM: &str = "e2e-spotlight-5kqm-8xhd";
const PASSPHRASE: &str = "correct horse battery staple";
const NAMES: [&str; 4] = ["Ada", "Bob", "Cem", "Dan"];
const TIMEOUT: Duration = Duration::from_secs(30);

/// `name`'s tile is the large one: the grid shows a speaker, it is that tile, and it is at least
/// one and a half times as wide as every other remote tile.
fn shown_large(name: &str) -> String {
    let tile = remote_tile(name);
    format!(
        "(() => {{ const tile = {tile}; if (!tile || !tile.classList.contains('featured')) return false; \
         if (!document.querySelector('.grid.spotlight')) return false; \
         const width = tile.getBoundingClientRect().width; \
         return [...document.querySelectorAll('.tile.remote')].filter(t => t !== tile) \
           .every(t => width >= 1.5 * t.getBoundingClientRect().width); }})()"
    )
}

/// Turns the page's microphone on or off and waits until the button says it is.
async fn switch_microphone(page: &Page, on: bool) -> anyhow::Result<()> {
    let (now, then) = if on {
        ("Unmute microphone", "Mute microphone")
    } else {
        ("Mute microphone", "Unmute microphone")
    };
    click(page, now).await?;
    let done = format!("{} !== undefined", button(then));
    wait_until(page, then, &done, TIMEOUT).await
}

async fn press(page: &Page, key: &str) -> anyhow::Result<()> {
    page.evaluate(format!(
        "document.activeElement?.blur(); \
         document.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true }})); true"
    ))
    .await?;
    Ok(())
}

/// `error` with what the page looked like, which says more than its text: a screenshot
/// (`spotlight-failed`) and every tile's place and size.
async fn explained(page: &Page, error: anyhow::Error) -> anyhow::Error {
    if let Err(screenshot) = tests::save_screenshot(page, "spotlight-failed").await {
        return error.context(format!("no screenshot either: {screenshot}"));
    }
    let tiles: anyhow::Result<String> = page
        .read("[...document.querySelectorAll('.tile')].map(t => { const r = t.getBoundingClientRect(); \
           return `${t.querySelector('.name')?.textContent} ${Math.round(r.width)}x${Math.round(r.height)} at ${Math.round(r.left)},${Math.round(r.top)}`; }).join('; ') \
           + `; controls at ${Math.round(document.querySelector('.controls').getBoundingClientRect().top)}; window ${innerWidth}x${innerHeight}`")
        .await;
    match tiles {
        Ok(tiles) => error.context(format!("tiles: {tiles}")),
        Err(read) => error.context(format!("the tiles could not be read: {read}")),
    }
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn in_a_meeting_of_four_the_speaker_is_shown_large() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let mut pages = Vec::new();
    for name in NAMES {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        // Cameras off (four fake cameras would load this machine for nothing), microphones on:
        // the fake microphone beeps.
        join(&page, name, PASSPHRASE, false, true).await?;
        pages.push(page);
    }
    for page in &pages {
        wait_until(page, "three connected tiles", &connected_tiles(3), TIMEOUT).await?;
    }
    let [ada, bob, cem, dan] = &pages[..] else {
        unreachable!("four pages")
    };
    // Only Ada's microphone is on: Bob sees her large.
    for page in [bob, cem, dan] {
        switch_microphone(page, false).await?;
    }
    bob.bring_to_front().await?;
    // A desktop window: room for the others side by side below the large tile.
    set_viewport(bob, 1280, 800, false).await?;
    wait_until(bob, "Ada is shown large", &shown_large("Ada"), TIMEOUT).await?;
    // Without scrolling, Bob sees every tile, his own included, none covering another, and the
    // controls cover none.
    let all_in_view = "(() => { const controls = document.querySelector('.controls').getBoundingClientRect(); \
         const rects = [...document.querySelectorAll('.tile')].map(t => t.getBoundingClientRect()); \
         const apart = (a, b) => a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1; \
         return rects.every((r, i) => r.top >= 0 && r.left >= 0 && r.right <= innerWidth && r.bottom <= controls.top + 1 \
           && rects.slice(i + 1).every(other => apart(r, other))); })()";
    let in_view = "every tile in view, apart, above the controls";
    if let Err(error) = wait_until(bob, in_view, all_in_view, TIMEOUT).await {
        return Err(explained(bob, error).await);
    }
    tests::save_screenshot(bob, "spotlight").await?;
    // Ada stops, Cem speaks: Cem takes her place.
    switch_microphone(ada, false).await?;
    switch_microphone(cem, true).await?;
    if let Err(error) = wait_until(bob, "Cem is shown large", &shown_large("Cem"), TIMEOUT).await {
        return Err(explained(bob, error).await);
    }

    // The list says who has camera and microphone off; P closes it, the button opens it.
    let ada_in_list = "[...document.querySelectorAll('li.participant')].find(li => li.querySelector('.name')?.textContent === 'Ada')";
    let both_off = format!(
        "!!{ada_in_list}?.querySelector('[aria-label=\"Camera off\"]') && !!{ada_in_list}?.querySelector('[aria-label=\"Microphone off\"]')"
    );
    wait_until(
        bob,
        "Ada's camera and microphone are off in the list",
        &both_off,
        TIMEOUT,
    )
    .await?;
    let list_open = |open: bool| {
        format!(
            "!!document.getElementById('participants-panel') === {open} && {}?.getAttribute('aria-expanded') === '{open}'",
            button("Participants")
        )
    };
    press(bob, "p").await?;
    wait_until(bob, "the list closed", &list_open(false), TIMEOUT).await?;
    click(bob, "Participants").await?;
    wait_until(bob, "the list open again", &list_open(true), TIMEOUT).await?;
    browser.close().await
}
