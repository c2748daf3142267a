//! The chat panel: the messages with name and local time (text only: a link is shown, never
//! fetched or previewed), a field to write, "Clear chat" and "Clear for everyone".

use super::language::use_locale;
use crate::call::{ChatLine, UiAction};
use crate::i18n::person;
use leptos::prelude::*;
use leptos_i18n::td_string;

#[component]
pub fn ChatPanel(lines: RwSignal<Vec<ChatLine>>, act: Callback<UiAction>) -> impl IntoView {
    let locale = use_locale();
    let draft = RwSignal::new(String::new());
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = draft.get_untracked();
        if !text.trim().is_empty() {
            act.run(UiAction::SendChat(text));
            draft.set(String::new());
        }
    };
    view! {
        <section class="chat" aria-label=move || td_string!(locale.get(), chat)>
            <h2>{move || td_string!(locale.get(), chat)}</h2>
            <Show when=move || lines.with(Vec::is_empty)>
                <p class="hint">{move || td_string!(locale.get(), chat_empty)}</p>
            </Show>
            <ol class="chat-lines" aria-live="polite">
                <For each=move || lines.get() key=|line| (line.id, line.not_delivered_to.len()) let(line)>
                    <li class:mine=line.mine>
                        <span class="who">{move || person(locale.get(), &line.name)}</span>" "<time>{line.time}</time>
                        <p class="text">{line.text}</p>
                        {Some(line.not_delivered_to).filter(|names| !names.is_empty()).map(|names| view! {
                            <p class="error">{move || {
                                let locale = locale.get();
                                let names: Vec<String> = names.iter().map(|name| person(locale, name)).collect();
                                td_string!(locale, not_delivered, names = names.join(", "))
                            }}</p>
                        })}
                    </li>
                </For>
            </ol>
            <form class="chat-compose" on:submit=send>
                <label>
                    {move || td_string!(locale.get(), chat_message)}
                    <input type="text" bind:value=draft autocomplete="off"/>
                </label>
                <button type="submit" class="primary">{move || td_string!(locale.get(), send)}</button>
            </form>
            <div class="chat-actions">
                <button on:click=move |_| act.run(UiAction::ClearChat)>{move || td_string!(locale.get(), clear_chat)}</button>
                <button on:click=move |_| act.run(UiAction::ClearChatForEveryone)>{move || td_string!(locale.get(), clear_chat_for_everyone)}</button>
            </div>
        </section>
    }
}
