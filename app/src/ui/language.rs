//! The language the UI speaks: the one chosen in this browser before, else the browser's own; and
//! the switch at the foot of every page that changes it. Components read their words through
//! [`use_locale`] inside closures, so switching changes every word at once and re-renders nothing
//! else: a meeting goes on, a half-typed field keeps its text.

use crate::i18n::{self, LANGUAGES, Locale};
use crate::prefs;
use leptos::prelude::*;
use leptos_i18n::{Locale as _, td_string};

/// The language shown, shared by every component.
#[derive(Clone, Copy)]
struct Language(RwSignal<Locale>);

/// Provides the language to the components below, and keeps `<html lang>` in step with it (for
/// screen readers, spelling and hyphenation).
pub fn provide_language() {
    let locale = RwSignal::new(prefs::chosen_language().unwrap_or_else(browser_language));
    provide_context(Language(locale));
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.get().as_str());
        }
    });
}

/// German for a browser that prefers German, English otherwise.
fn browser_language() -> Locale {
    let language = web_sys::window()
        .and_then(|window| window.navigator().language())
        .unwrap_or_default();
    i18n::for_language(&language)
}

/// The language shown. Read its words in a closure (`move || td_string!(locale.get(), join)`),
/// so they follow the switch.
pub fn use_locale() -> Signal<Locale> {
    expect_context::<Language>().0.into()
}

/// The language switch: every language, each named in itself, so that someone who cannot read
/// the language shown still finds their own. The choice is remembered in this browser.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let Language(locale) = expect_context::<Language>();
    let choose = move |event| {
        if let Some(chosen) = i18n::by_code(&event_target_value(&event)) {
            prefs::remember_language(chosen);
            locale.set(chosen);
        }
    };
    let options = LANGUAGES.into_iter().map(|option| {
        view! {
            <option value=option.as_str() lang=option.as_str()
                prop:selected=move || locale.get() == option>
                {td_string!(option, language_name)}
            </option>
        }
    });
    let options = options.collect_view();
    view! {
        <label class="language">
            {move || td_string!(locale.get(), language)}
            <select on:change=choose>{options}</select>
        </label>
    }
}
