//! The privacy notice and the imprint: they show what the operator configured (and say so when
//! they configured nothing), in English and German, pass axe-core's WCAG 2.1 A and AA rules, and
//! every page links them.

use serde_json::json;
use std::time::Duration;
use tests::{
    Browser, Devices, Page, Server, Tab, accessibility_violations, click, join, open_meeting,
    save_screenshot, wait_for_text, wait_until,
};

const LOAD: Duration = Duration::from_secs(20);
const ROOM: &str = "e2e-legal-3kqv-8mdw-4tzn";

/// An operator who filled in everything, and a TURN server that relays every connection.
const OPERATOR_FLAGS: &[&str] = &[
    "--operator-name",
    "Verein Beispiel e. V.",
    "--operator-address",
    "Hauptstraße 1\\n12345 Musterstadt",
    "--operator-contact",
    "kontakt@example.org",
    "--privacy-officer",
    "Dr. Erika Daten, dsb@example.org",
    "--ice-server",
    "turn:turn.example.org:3478",
    "--turn-secret",
    "e2e-not-a-real-secret",
    "--relay-only",
];

/// What one language shows: the headings of both pages, and words from the notice.
struct Language {
    tag: &'static str,
    privacy_heading: &'static str,
    privacy_sections: [&'static str; 6],
    imprint_heading: &'static str,
    address_label: &'static str,
    back_home: &'static str,
}

const ENGLISH: Language = Language {
    tag: "en-US",
    privacy_heading: "Privacy notice",
    privacy_sections: [
        "Who is responsible",
        "Data protection officer",
        "What the server sees",
        "What is stored",
        "What the other participants see",
        "Your rights",
    ],
    imprint_heading: "Imprint",
    address_label: "Address",
    back_home: "Back to the start page",
};

const GERMAN: Language = Language {
    tag: "de-DE",
    privacy_heading: "Datenschutzerklärung",
    privacy_sections: [
        "Verantwortlich",
        "Datenschutzbeauftragte",
        "Was der Server sieht",
        "Was gespeichert wird",
        "Was die anderen Teilnehmenden sehen",
        "Ihre Rechte",
    ],
    imprint_heading: "Impressum",
    address_label: "Anschrift",
    back_home: "Zur Startseite",
};

/// The text of every `h1` and `h2` on the page, in order.
async fn headings(page: &Page) -> anyhow::Result<Vec<String>> {
    page.read("[...document.querySelectorAll('h1, h2')].map(h => h.textContent.trim())")
        .await
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

/// Opens `path` and waits until the operator's details (or that there are none) are shown.
async fn open(browser: &Browser, server: &Server, path: &str) -> anyhow::Result<Page> {
    let page = browser.blank_page().await?;
    page.goto(format!("{}{path}", server.origin())).await?;
    wait_until(
        &page,
        "the operator's details are loaded",
        "document.querySelector('main.legal [data-testid^=\"operator-\"], main.legal [data-testid=\"not-provided\"]') !== null",
        LOAD,
    )
    .await?;
    Ok(page)
}

/// Whether the page's main landmark shows `text`.
fn main_shows(text: &str) -> String {
    format!(
        "document.querySelector('main').innerText.includes({})",
        json!(text)
    )
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, axe-core, private network namespace)"]
async fn privacy_and_imprint_show_the_configured_operator_in_english_and_german()
-> anyhow::Result<()> {
    let server = Server::start(OPERATOR_FLAGS)?;
    for language in [ENGLISH, GERMAN] {
        let browser = Browser::launch_in(Devices::Denied, language.tag).await?;
        let lang = &language.tag[..2];

        let privacy = open(&browser, &server, "/privacy").await?;
        let mut expected = vec![language.privacy_heading.to_owned()];
        expected.extend(language.privacy_sections.iter().map(|s| (*s).to_owned()));
        let shown = headings(&privacy).await?;
        for heading in &expected {
            assert!(
                shown.contains(heading),
                "{lang}: /privacy lacks the heading {heading:?}; it has {shown:?}"
            );
        }
        assert_eq!(
            shown.first(),
            Some(&language.privacy_heading.to_owned()),
            "{lang}: the page's first heading"
        );
        for fact in [
            "Verein Beispiel e. V.",
            "Hauptstraße 1",
            "12345 Musterstadt",
            "kontakt@example.org",
            "Dr. Erika Daten, dsb@example.org",
            "(turn.example.org)",
            "GDPR",
            "operator named above",
            language.back_home,
        ] {
            let fact = match (lang, fact) {
                ("de", "GDPR") => "DSGVO",
                ("de", "operator named above") => "oben genannten Betreiber",
                _ => fact,
            };
            assert!(
                privacy.read::<bool>(&main_shows(fact)).await?,
                "{lang}: /privacy does not show {fact:?}"
            );
        }
        assert_eq!(
            privacy
                .read::<String>("document.documentElement.lang")
                .await?,
            lang
        );
        assert_accessible(&privacy, &format!("/privacy ({lang})")).await?;
        save_screenshot(&privacy, &format!("privacy-{lang}")).await?;

        let imprint = open(&browser, &server, "/imprint").await?;
        let shown = headings(&imprint).await?;
        assert_eq!(
            shown,
            [language.imprint_heading],
            "{lang}: /imprint's headings"
        );
        let details: Vec<String> = imprint
            .read(
                "[...document.querySelectorAll('dl.operator dt, dl.operator dd')].map(e => e.innerText.trim())",
            )
            .await?;
        assert!(
            details.contains(&language.address_label.to_owned())
                && details.contains(&"Verein Beispiel e. V.".to_owned())
                && details.contains(&"Hauptstraße 1\n12345 Musterstadt".to_owned())
                && details.contains(&"kontakt@example.org".to_owned()),
            "{lang}: the imprint shows {details:?}"
        );
        assert_accessible(&imprint, &format!("/imprint ({lang})")).await?;
        save_screenshot(&imprint, &format!("imprint-{lang}")).await?;
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, axe-core, private network namespace)"]
async fn an_operator_who_configured_nothing_is_said_to_have_provided_nothing() -> anyhow::Result<()>
{
    let server = Server::start(&[])?;
    let browser = Browser::launch(Devices::Denied).await?;
    for path in ["/privacy", "/imprint"] {
        let page = open(&browser, &server, path).await?;
        assert!(
            page.read::<bool>(&main_shows(
                "The operator of this server has not provided these details."
            ))
            .await?,
            "{path} does not say the details are missing"
        );
        for invented in ["TURN", "operator named above"] {
            assert!(
                !page.read::<bool>(&main_shows(invented)).await?,
                "{path} shows {invented:?}, which nothing configured"
            );
        }
        let names: usize = page
            .read("document.querySelectorAll('dl.operator').length")
            .await?;
        assert_eq!(names, 0, "{path} lists operator details nobody configured");
        assert_accessible(&page, &format!("{path} without operator details")).await?;
        save_screenshot(&page, &format!("{}-unconfigured", &path[1..])).await?;
    }
    browser.close().await
}

/// The footer's links on the page now: `[text, href, target]` each.
async fn footer_links(page: &impl Tab) -> anyhow::Result<Vec<[String; 3]>> {
    page.read(
        "[...document.querySelectorAll('footer.site-footer nav a')].map(a => \
         [a.textContent.replace(/\\s+/g, ' ').trim(), a.getAttribute('href'), a.getAttribute('target') || ''])",
    )
    .await
}

#[tokio::test]
#[ignore = "needs cargo xtask test (built app, release server, Chromium, private network namespace)"]
async fn every_page_links_the_privacy_notice_and_the_imprint() -> anyhow::Result<()> {
    let server = Server::start(OPERATOR_FLAGS)?;
    let browser = Browser::launch(Devices::Denied).await?;
    let same_tab = [
        ["Privacy".to_owned(), "/privacy".to_owned(), String::new()],
        ["Imprint".to_owned(), "/imprint".to_owned(), String::new()],
    ];

    let home = browser.blank_page().await?;
    home.goto(format!("{}/", server.origin())).await?;
    wait_for_text(&home, "Start a meeting", LOAD).await?;
    assert_eq!(footer_links(&home).await?, same_tab, "the start page");
    save_screenshot(&home, "legal-footer-home").await?;
    // Following the link shows the notice, and its link leads back.
    home.read::<bool>(
        "(() => { document.querySelector('footer.site-footer a[href=\"/privacy\"]').click(); return true; })()",
    )
    .await?;
    wait_for_text(&home, "Privacy notice", LOAD).await?;
    wait_until(
        &home,
        "the privacy notice marks itself as the current page",
        "document.querySelector('footer.site-footer a[aria-current=\"page\"]')?.getAttribute('href') === '/privacy'",
        LOAD,
    )
    .await?;
    home.read::<bool>(
        "(() => { [...document.querySelectorAll('main a')].find(a => a.innerText.trim() === 'Back to the start page').click(); return true; })()",
    )
    .await?;
    wait_for_text(&home, "Start a meeting", LOAD).await?;

    // Before and after a meeting the links open a new tab, so that a call is never left by them.
    let new_tab = |text: &str, href: &str| {
        [
            format!("{text} (opens in a new tab)"),
            href.to_owned(),
            "_blank".to_owned(),
        ]
    };
    let in_meeting = [
        new_tab("Privacy", "/privacy"),
        new_tab("Imprint", "/imprint"),
    ];
    let page = open_meeting(&browser, &server.origin(), ROOM).await?;
    assert_eq!(footer_links(&page).await?, in_meeting, "the pre-join page");
    join(&page, "Ada", "correct horse battery staple", false, false).await?;
    wait_for_text(&page, "Leave meeting", LOAD).await?;
    assert_eq!(footer_links(&page).await?, in_meeting, "the meeting");
    // Below the meeting, out of the way, but there when one scrolls down.
    assert!(
        page.read::<bool>(
            "(() => { const box = document.querySelector('footer.site-footer').getBoundingClientRect(); \
             return box.height > 0 && box.bottom <= document.scrollingElement.scrollHeight; })()"
        )
        .await?,
        "the footer is not rendered in the meeting"
    );
    save_screenshot(&page, "legal-footer-meeting").await?;
    click(&page, "Leave meeting").await?;
    wait_for_text(&page, "You left the meeting.", LOAD).await?;
    assert_eq!(
        footer_links(&page).await?,
        in_meeting,
        "the page after leaving"
    );
    browser.close().await
}
