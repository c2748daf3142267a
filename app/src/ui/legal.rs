//! The privacy notice and the imprint (`/privacy`, `/imprint`), filled from the server's
//! `/operator.json`, and the links to them in the footer of every page.
//!
//! Nothing about the operator is made up here: a detail the server does not name is shown as not
//! provided.

use super::language::use_locale;
use crate::fetch::{self, NotLoaded};
use crate::i18n::Locale;
use crate::operator::{LegalPage, Operator};
use leptos::prelude::*;
use leptos_i18n::td_string;

/// Fetches and reads `/operator.json` from this page's own server.
async fn fetch_operator() -> Result<Operator, NotLoaded> {
    Operator::parse(&fetch::text("/operator.json").await?).map_err(|_| NotLoaded)
}

/// The page `page`, with a link back to the start page. A switch of language redraws it whole: it
/// holds nothing that could be lost.
#[component]
pub fn LegalView(page: LegalPage) -> impl IntoView {
    let locale = use_locale();
    let title = move || match page {
        LegalPage::Privacy => td_string!(locale.get(), legal.privacy_title),
        LegalPage::Imprint => td_string!(locale.get(), legal.imprint),
    };
    Effect::new(move |_| document().set_title(&format!("{} – Stube", title())));
    let operator = RwSignal::new(None::<Result<Operator, NotLoaded>>);
    leptos::task::spawn_local(async move {
        let _ = operator.try_set(Some(fetch_operator().await));
    });
    let body = move || {
        let locale = locale.get();
        match operator.get() {
            None => view! { <p role="status">{td_string!(locale, legal.loading)}</p> }.into_any(),
            Some(Err(NotLoaded)) => {
                view! { <p class="error" role="alert">{td_string!(locale, legal.load_failed)}</p> }
                    .into_any()
            }
            Some(Ok(operator)) => match page {
                LegalPage::Privacy => view! { <PrivacyNotice operator locale/> }.into_any(),
                LegalPage::Imprint => view! { <Imprint operator locale/> }.into_any(),
            },
        }
    };
    view! {
        <main class="legal" aria-labelledby="legal-title">
            <p><a href="/">{move || td_string!(locale.get(), back_home)}</a></p>
            <h1 id="legal-title">{title}</h1>
            {body}
        </main>
    }
}

/// What Stube processes on this server, for whom, and the reader's rights.
#[component]
fn PrivacyNotice(operator: Operator, locale: Locale) -> impl IntoView {
    let turn = operator.turn_hosts();
    let named = operator.is_named();
    let relay_only = operator.relay_only;
    let routes = match (relay_only, turn) {
        (true, Some(hosts)) => {
            view! { <p>{td_string!(locale, legal.peers_relay_only, hosts = &hosts)}</p> }.into_any()
        }
        (false, Some(hosts)) => view! {
            <p>{td_string!(locale, legal.peers_direct)}</p>
            <p>{td_string!(locale, legal.peers_turn_fallback, hosts = &hosts)}</p>
        }
        .into_any(),
        (_, None) => view! { <p>{td_string!(locale, legal.peers_direct)}</p> }.into_any(),
    };
    let officer = operator.privacy_officer.clone().map(|officer| {
        view! {
            <section aria-labelledby="legal-officer">
                <h2 id="legal-officer">{td_string!(locale, legal.officer_heading)}</h2>
                <p>{officer}</p>
            </section>
        }
    });
    view! {
        <p>{td_string!(locale, legal.privacy_intro)}</p>
        <section aria-labelledby="legal-controller">
            <h2 id="legal-controller">{td_string!(locale, legal.controller_heading)}</h2>
            <p>{td_string!(locale, legal.controller_text)}</p>
            <OperatorDetails operator locale/>
        </section>
        {officer}
        <section aria-labelledby="legal-server">
            <h2 id="legal-server">{td_string!(locale, legal.server_heading)}</h2>
            <p>{td_string!(locale, legal.server_intro)}</p>
            <ul>
                <li>{td_string!(locale, legal.server_ip)}</li>
                <li>{td_string!(locale, legal.server_room)}</li>
                <li>{td_string!(locale, legal.server_messages)}</li>
            </ul>
        </section>
        <section aria-labelledby="legal-stored">
            <h2 id="legal-stored">{td_string!(locale, legal.stored_heading)}</h2>
            <p>{td_string!(locale, legal.stored_server)}</p>
            <p>{td_string!(locale, legal.stored_browser)}</p>
        </section>
        <section aria-labelledby="legal-peers">
            <h2 id="legal-peers">{td_string!(locale, legal.peers_heading)}</h2>
            <p>{td_string!(locale, legal.peers_end_to_end)}</p>
            {routes}
        </section>
        <section aria-labelledby="legal-purpose">
            <h2 id="legal-purpose">{td_string!(locale, legal.purpose_heading)}</h2>
            <p>{td_string!(locale, legal.purpose_text)}</p>
        </section>
        <section aria-labelledby="legal-rights">
            <h2 id="legal-rights">{td_string!(locale, legal.rights_heading)}</h2>
            <p>{td_string!(locale, legal.rights_text)}{named.then_some(" ")}{named.then_some(td_string!(locale, legal.rights_contact))}</p>
            <p>{td_string!(locale, legal.complaint_text)}</p>
        </section>
    }
}

/// Name, address and contact of the operator.
#[component]
fn Imprint(operator: Operator, locale: Locale) -> impl IntoView {
    view! {
        <p>{td_string!(locale, legal.imprint_intro)}</p>
        <OperatorDetails operator locale/>
    }
}

/// The operator's name, address and contact as far as the server names them, or that it names
/// none of them.
#[component]
fn OperatorDetails(operator: Operator, locale: Locale) -> impl IntoView {
    if !operator.is_named() {
        return view! { <p class="not-provided" data-testid="not-provided">{td_string!(locale, legal.not_provided)}</p> }
            .into_any();
    }
    let missing = move || view! { <span class="not-provided">{td_string!(locale, legal.not_provided)}</span> };
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
            <dt>{td_string!(locale, legal.name)}</dt>
            <dd data-testid="operator-name">{name}</dd>
            <dt>{td_string!(locale, legal.address)}</dt>
            <dd data-testid="operator-address">{address}</dd>
            <dt>{td_string!(locale, legal.contact)}</dt>
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
    let locale = use_locale();
    let link = move |page: LegalPage, text: fn(Locale) -> &'static str| {
        let here = (current == Some(page)).then_some("page");
        view! {
            <a href=page.path() aria-current=here target=move || new_tab.get().then_some("_blank")
                rel=move || new_tab.get().then_some("noopener")>
                {move || text(locale.get())}
                {move || new_tab.get().then(|| view! { <span class="visually-hidden">" "{move || td_string!(locale.get(), legal.opens_in_new_tab)}</span> })}
            </a>
        }
    };
    view! {
        <nav aria-label=move || td_string!(locale.get(), legal.legal_nav)>
            {link(LegalPage::Privacy, |locale| td_string!(locale, legal.privacy))}
            {link(LegalPage::Imprint, |locale| td_string!(locale, legal.imprint))}
        </nav>
    }
}
