//! The edges of a meeting as a person meets them: typing the passphrase again after a mismatch,
//! camera-off and muted tiles (in English and German), no technical counters in the main view,
//! and a layout that fits two to eight people on a desktop and on a phone.

use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, button, click, connected_tiles, covering_toasts, fill, join,
    open_meeting, remote_tile as tile, save_screenshot, set_device, set_viewport, shows_muted,
    wait_for_text, wait_until, wait_until_tiles_play,
};

const ROOM: &str = "e2e-edges-3vkd-7qpx-5mtr";
const PASSPHRASE: &str = "correct horse battery staple";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A tile shows the initials `initials` and no picture: the initials are visible text in it and
/// its `<video>` takes no visible area.
fn shows_initials(tile: &str, initials: &str) -> String {
    format!(
        "(() => {{ const t = {tile}; if (!t) return false; const i = t.querySelector('.initials'); \
         const v = t.querySelector('video'); return !!i && i.offsetWidth > 0 && i.innerText === {} \
         && getComputedStyle(v).visibility === 'hidden'; }})()",
        serde_json::json!(initials)
    )
}

fn shows_picture(tile: &str) -> String {
    format!(
        "(() => {{ const t = {tile}; return !!t && t.querySelector('.initials').offsetWidth === 0 \
         && getComputedStyle(t.querySelector('video')).visibility === 'visible'; }})()"
    )
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn after_a_wrong_passphrase_the_person_types_it_again_and_joins_with_the_name_kept()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let host = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&host, "Host", PASSPHRASE, false, true).await?;
    wait_for_text(&host, "Waiting for others", Duration::from_secs(10)).await?;
    let guest = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&guest, "Guest", "a different passphrase", false, true).await?;
    wait_for_text(
        &guest,
        "The passphrase does not match this meeting",
        Duration::from_secs(10),
    )
    .await?;
    let grid: bool = guest
        .evaluate("document.querySelector('.grid') !== null")
        .await?
        .into_value()?;
    assert!(!grid, "the meeting view shows before anyone was verified");

    click(&guest, "Enter the passphrase again").await?;
    let form_again = "(() => { const inputs = [...document.querySelectorAll('form.prejoin input[type=text]')]; \
        return inputs.length === 2 && inputs[0].value === 'Guest' && inputs[1].value === '' \
        && document.activeElement === inputs[1]; })()";
    wait_until(
        &guest,
        "the pre-join form is back with the name kept and the passphrase field empty and focused",
        form_again,
        Duration::from_secs(10),
    )
    .await?;
    let microphone_back = format!(
        "{}?.getAttribute('aria-pressed') === 'true'",
        button("Microphone")
    );
    wait_until(
        &guest,
        "the microphone chosen before is on again",
        &microphone_back,
        Duration::from_secs(10),
    )
    .await?;
    fill(&guest, "Passphrase", PASSPHRASE).await?;
    click(&guest, "Join").await?;
    for (page, who) in [(&guest, "the guest"), (&host, "the host")] {
        wait_until(
            page,
            &format!("{who} is connected to the other"),
            &connected_tiles(1),
            CONNECT_TIMEOUT,
        )
        .await?;
    }
    wait_for_text(&host, "Guest", Duration::from_secs(5)).await?;
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn camera_off_shows_initials_and_mute_shows_a_muted_icon_without_technical_counters()
-> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let ada = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&ada, "Ada Lovelace", PASSPHRASE, true, true).await?;
    let grace = open_meeting(&browser, &server.origin(), ROOM).await?;
    join(&grace, "Grace Hopper", PASSPHRASE, true, true).await?;
    wait_until(
        &grace,
        "Grace is connected",
        &connected_tiles(1),
        CONNECT_TIMEOUT,
    )
    .await?;
    wait_until_tiles_play(&grace, "Grace", 1).await?;
    let ada_tile = tile("Ada Lovelace");
    wait_until(
        &grace,
        "Ada's picture shows",
        &shows_picture(&ada_tile),
        CONNECT_TIMEOUT,
    )
    .await?;

    click(&ada, "Stop camera").await?;
    let timeout = Duration::from_secs(5);
    wait_until(
        &grace,
        "Ada's tile shows her initials",
        &shows_initials(&ada_tile, "AL"),
        timeout,
    )
    .await?;
    let own = ".querySelector('.tile.local')";
    let own_tile = format!("document{own}");
    wait_until(
        &ada,
        "Ada's own tile shows her initials",
        &shows_initials(&own_tile, "AL"),
        timeout,
    )
    .await?;
    save_screenshot(&grace, "camera-off").await?;

    click(&ada, "Start camera").await?;
    wait_until(
        &grace,
        "Ada's picture is back",
        &shows_picture(&ada_tile),
        timeout,
    )
    .await?;
    wait_until_tiles_play(&grace, "Grace", 1).await?;

    // Ada's (fake) microphone beeps: her tile lights up as speaking, and stops once she mutes.
    let speaking = format!("!!{ada_tile}?.classList.contains('speaking')");
    grace.bring_to_front().await?;
    wait_until(
        &grace,
        "Ada's tile shows her speaking",
        &speaking,
        Duration::from_secs(10),
    )
    .await?;
    click(&ada, "Mute microphone").await?;
    wait_until(
        &grace,
        "Ada's tile shows her microphone is off",
        &shows_muted(&ada_tile, "Microphone off"),
        Duration::from_secs(1),
    )
    .await?;
    wait_until(
        &grace,
        "Ada's tile no longer shows her speaking",
        &format!("!({speaking})"),
        timeout,
    )
    .await?;
    click(&ada, "Unmute microphone").await?;
    wait_until(
        &grace,
        "the muted icon goes again",
        &format!("!({})", shows_muted(&ada_tile, "Microphone off")),
        timeout,
    )
    .await?;

    // The technical view is one click away: each connection's state, route and safety number.
    grace
        .evaluate("document.querySelector('details.details').open = true")
        .await?;
    wait_for_text(
        &grace,
        "Ada Lovelace: Connected · direct · Safety number: ",
        Duration::from_secs(5),
    )
    .await?;
    grace
        .evaluate("document.querySelector('details.details').open = false")
        .await?;
    for page in [&ada, &grace] {
        let shown: String = page
            .evaluate("document.body.innerText")
            .await?
            .into_value()?;
        for technical in ["signalling", "messages could not be opened", "dropped"] {
            assert!(
                !shown.contains(technical),
                "the main view shows {technical:?}: {shown}"
            );
        }
    }
    browser.close().await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn the_muted_icon_speaks_german_in_a_german_browser() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch_in(Devices::Allowed, "de-DE").await?;
    let mut pages = Vec::new();
    for name in ["Ada", "Grace"] {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        fill(&page, "Ihr Name", name).await?;
        fill(&page, "Passphrase", PASSPHRASE).await?;
        set_device(&page, "Mikrofon", true).await?;
        click(&page, "Teilnehmen").await?;
        pages.push(page);
    }
    wait_until(
        &pages[1],
        "Grace is connected",
        &connected_tiles(1),
        CONNECT_TIMEOUT,
    )
    .await?;
    click(&pages[0], "Mikrofon stummschalten").await?;
    wait_until(
        &pages[1],
        "Ada's tile says her microphone is off, in German",
        &shows_muted(&tile("Ada"), "Mikrofon aus"),
        Duration::from_secs(1),
    )
    .await?;
    browser.close().await
}

/// Every tile has a name, no two tiles overlap, and nothing is wider than the window; `hidden`
/// names the tiles not wholly in view above the controls without scrolling.
const TILES_FIT: &str = r#"(() => {
    const tiles = [...document.querySelectorAll('.tile')].map(t => ({
        name: t.querySelector('.name')?.textContent?.trim() ?? '',
        rect: t.getBoundingClientRect(),
    }));
    const problems = [];
    tiles.forEach((t, i) => {
        if (!t.name) problems.push(`tile ${i} has no name`);
        if (t.rect.width < 80 || t.rect.height < 60) problems.push(`${t.name} is too small`);
        if (t.rect.left < 0 || t.rect.right > window.innerWidth + 0.5) problems.push(`${t.name} leaves the window`);
        tiles.slice(i + 1).forEach(u => {
            const x = Math.min(t.rect.right, u.rect.right) - Math.max(t.rect.left, u.rect.left);
            const y = Math.min(t.rect.bottom, u.rect.bottom) - Math.max(t.rect.top, u.rect.top);
            if (x > 0.5 && y > 0.5) problems.push(`${t.name} overlaps ${u.name}`);
        });
    });
    if (document.documentElement.scrollWidth > window.innerWidth + 0.5) problems.push('the page scrolls sideways');
    const controls = document.querySelector('.controls').getBoundingClientRect();
    const hidden = tiles.filter(t => t.rect.top < 0 || t.rect.bottom > controls.top + 0.5).map(t => t.name);
    return { tiles: tiles.length, problems, hidden };
})()"#;

#[derive(serde::Deserialize, Debug)]
struct Fit {
    tiles: usize,
    problems: Vec<String>,
    hidden: Vec<String>,
}

async fn check_layout(page: &Page, people: usize) -> anyhow::Result<()> {
    for (width, height, mobile, form) in [(1280, 800, false, "desktop"), (390, 844, true, "phone")]
    {
        set_viewport(page, width, height, mobile).await?;
        let fit: Fit = page.evaluate(TILES_FIT).await?.into_value()?;
        assert_eq!(
            fit.tiles, people,
            "{people} people at {form} width: {fit:?}"
        );
        assert!(
            fit.problems.is_empty(),
            "{people} people at {form} width: {:?}",
            fit.problems
        );
        let covering = covering_toasts(page, true).await?;
        assert!(
            covering.is_empty(),
            "{people} people at {form} width: {covering:?}"
        );
        // A desktop window shows everyone at once; a phone scrolls.
        assert!(
            mobile || fit.hidden.is_empty(),
            "{people} people at {form} width: not in view above the controls: {:?}",
            fit.hidden
        );
        save_screenshot(page, &format!("meeting-{people}-{form}")).await?;
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn two_four_and_eight_people_fit_on_a_desktop_and_a_phone() -> anyhow::Result<()> {
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Allowed).await?;
    let names = [
        "Ada Lovelace",
        "Grace Hopper",
        "Katherine Johnson",
        "Hedy Lamarr",
        "Margaret Hamilton",
        "Radia Perlman",
        "Barbara Liskov",
        "Frances Allen",
    ];
    let mut pages = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let page = open_meeting(&browser, &server.origin(), ROOM).await?;
        // The first two bring their cameras, the others listen: every kind of tile appears.
        join(&page, name, PASSPHRASE, index < 2, false).await?;
        pages.push(page);
        let people = pages.len();
        if [2, 4, 8].contains(&people) {
            wait_until(
                &pages[0],
                &format!("{} people are connected", people),
                &connected_tiles(people - 1),
                CONNECT_TIMEOUT,
            )
            .await?;
            pages[0].bring_to_front().await?;
            check_layout(&pages[0], people).await?;
        }
    }
    browser.close().await
}
