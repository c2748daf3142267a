//! "Hide my IP address" on the pre-join page: the checkbox, what relaying costs, and why it
//! cannot be changed (the operator requires relaying, or offers no relay). The decision is
//! `mesh::hide_ip_choice`.

use super::language::use_locale;
use leptos::prelude::*;
use leptos_i18n::td_string;

/// The "Hide my IP address" checkbox, what it costs, and why it cannot be changed (the operator
/// requires relaying, or offers no relay).
#[component]
pub fn HideIpBox(
    choice: Signal<mesh::HideIpChoice>,
    #[prop(into)] on_change: Callback<bool>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <label class="check">
            <input type="checkbox" aria-describedby="hide-ip-hint"
                prop:checked=move || choice.get().checked disabled=move || !choice.get().enabled
                on:change=move |event| on_change.run(event_target_checked(&event))/>
            {move || td_string!(locale.get(), hide_ip)}
        </label>
        <p class="hint" id="hide-ip-hint">
            {move || td_string!(locale.get(), hide_ip_hint)}
            {move || choice.get().note.map(|note| match note {
                mesh::HideIpNote::OperatorRequires => td_string!(locale.get(), hide_ip_required),
                mesh::HideIpNote::NoRelay => td_string!(locale.get(), hide_ip_no_relay),
            }).map(|note| format!(" {note}"))}
        </p>
    }
}
