//! The privacy notice and the imprint (`/privacy`, `/imprint`), filled from the server's
//! `/operator.json`, and the links to them in the footer of every page.
//!
//! Nothing about the operator is made up here: a detail the server does not name is shown as not
//! provided.

use super::language::use_texts;
use crate::fetch::{self, NotLoaded};
use crate::i18n::LegalTexts;
use crate::operator::{LegalPage, Operator};
use leptos::prelude::*;

/// Fetches and reads `/operator.json` from this page's own server.
async fn fetch_operator() -> Result<Operator, NotLoaded> {
    Operator::parse(&fetch::text("/operator.json").await?).map_err(|_| NotLoaded)
}

/// The page `page`, with a link back to the start page. A switch of language redraws it whole: it
/// holds nothing that could be lost.
#[component]
pub fn LegalView(page: LegalPage) -> impl IntoView {
    let texts = use_texts();
    let legal = move || texts.get().legal();
    let title = move || match page {
        LegalPage::Privacy => legal().privacy_title,
        LegalPage::Imprint => legal().imprint,
    };
    Effect::new(move |_| document().set_title(&format!("{} – Stube", title())));
    let operator = RwSignal::new(None::<Result<Operator, NotLoaded>>);
    leptos::task::spawn_local(async move {
        let _ = operator.try_set(Some(fetch_operator().await));
    });
    let body = move || {
        let legal = legal();
        match operator.get() {
            None => view! { <p role="status">{legal.loading}</p> }.into_any(),
            Some(Err(NotLoaded)) => {
                view! { <p class="error" role="alert">{legal.load_failed}</p> }.into_any()
            }
            Some(Ok(operator)) => match page {
                LegalPage::Privacy => view! { <PrivacyNotice operator legal/> }.into_any(),
                LegalPage::Imprint => view! { <Imprint operator legal/> }.into_any(),
            },
        }
    };
    view! {
        <main class="legal" aria-labelledby="legal-title">
            <p><a href="/">{move || texts.get().back_home}</a></p>
            <h1 id="legal-title">{title}</h1>
            {body}
        </main>
    }
}

/// What Stube processes on this server, for whom, and the reader's rights.
#[component]
fn PrivacyNotice(operator: Operator, legal: &'static LegalTexts) -> impl IntoView {
    let turn = operator.turn_hosts();
    let named = operator.is_named();
    let relay_only = operator.relay_only;
    let routes = match (relay_only, turn) {
        (true, Some(hosts)) => view! { <p>{legal.peers_relay_only(&hosts)}</p> }.into_any(),
        (false, Some(hosts)) => view! {
            <p>{legal.peers_direct}</p>
            <p>{legal.peers_turn_fallback(&hosts)}</p>
        }
        .into_any(),
        (_, None) => view! { <p>{legal.peers_direct}</p> }.into_any(),
    };
    let officer = operator.privacy_officer.clone().map(|officer| {
        view! {
            <section aria-labelledby="legal-officer">
                <h2 id="legal-officer">{legal.officer_heading}</h2>
                <p>{officer}</p>
            </section>
        }
    });
    view! {
        <p>{legal.privacy_intro}</p>
        <section aria-labelledby="legal-controller">
            <h2 id="legal-controller">{legal.controller_heading}</h2>
            <p>{legal.controller_text}</p>
            <OperatorDetails operator legal/>
        </section>
        {officer}
        <section aria-labelledby="legal-server">
            <h2 id="legal-server">{legal.server_heading}</h2>
            <p>{legal.server_intro}</p>
            <ul>
                <li>{legal.server_ip}</li>
                <li>{legal.server_room}</li>
                <li>{legal.server_messages}</li>
            </ul>
        </section>
        <section aria-labelledby="legal-stored">
            <h2 id="legal-stored">{legal.stored_heading}</h2>
            <p>{legal.stored_server}</p>
            <p>{legal.stored_browser}</p>
        </section>
        <section aria-labelledby="legal-peers">
            <h2 id="legal-peers">{legal.peers_heading}</h2>
            <p>{legal.peers_end_to_end}</p>
            {routes}
        </section>
        <section aria-labelledby="legal-purpose">
            <h2 id="legal-purpose">{legal.purpose_heading}</h2>
            <p>{legal.purpose_text}</p>
        </section>
        <section aria-labelledby="legal-rights">
            <h2 id="legal-rights">{legal.rights_heading}</h2>
            <p>{legal.rights_text}{named.then_some(" ")}{named.then_some(legal.rights_contact)}</p>
            <p>{legal.complaint_text}</p>
        </section>
    }
}

/// Name, address and contact of the operator.
#[component]
fn Imprint(operator: Operator, legal: &'static LegalTexts) -> impl IntoView {
    view! {
        <p>{legal.imprint_intro}</p>
        <OperatorDetails operator legal/>
    }
}

/// The operator's name, address and contact as far as the server names them, or that it names
/// none of them.
#[component]
fn OperatorDetails(operator: Operator, legal: &'static LegalTexts) -> impl IntoView {
    if !operator.is_named() {
        return view! { <p class="not-provided" data-testid="not-provided">{legal.not_provided}</p> }
            .into_any();
    }
    let missing = move || view! { <span class="not-provided">{legal.not_provided}</span> };
    let lines: Vec<String> = operator
        .address_lines()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let address = if lines.is_empty() {
        missing().into_any()
    } else {
        lines
            .into_iter()
            .enumerate()
            .map(|(index, line)| view! { {(index > 0).then(|| view! { <br/> })}{line} })
            .collect_view()
            .into_any()
    };
    let name = operator
        .name
        .map_or_else(|| missing().into_any(), |name| name.into_any());
    let contact = operator
        .contact
        .map_or_else(|| missing().into_any(), |contact| contact.into_any());
    view! {
        <dl class="operator">
            <dt>{legal.name}</dt>
            <dd data-testid="operator-name">{name}</dd>
            <dt>{legal.address}</dt>
            <dd data-testid="operator-address">{address}</dd>
            <dt>{legal.contact}</dt>
            <dd data-testid="operator-contact">{contact}</dd>
        </dl>
    }
    .into_any()
}

/// The links to the privacy notice and the imprint, in the footer of every page. In a meeting (and
/// on its pre-join page) they open in a new tab, so the call goes on; `current` is marked as the
/// page shown.
#[component]
pub fn LegalLinks(current: Option<LegalPage>, new_tab: Signal<bool>) -> impl IntoView {
    let texts = use_texts();
    let legal = move || texts.get().legal();
    let link = move |page: LegalPage, text: fn(&LegalTexts) -> &'static str| {
        let here = (current == Some(page)).then_some("page");
        view! {
            <a href=page.path() aria-current=here target=move || new_tab.get().then_some("_blank")
                rel=move || new_tab.get().then_some("noopener")>
                {move || text(legal())}
                {move || new_tab.get().then(|| view! { <span class="visually-hidden">" "{move || legal().opens_in_new_tab}</span> })}
            </a>
        }
    };
    view! {
        <nav aria-label=move || legal().legal_nav>
            {link(LegalPage::Privacy, |legal| legal.privacy)}
            {link(LegalPage::Imprint, |legal| legal.imprint)}
        </nav>
    }
}
