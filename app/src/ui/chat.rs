//! The chat panel: the messages with name and local time (text only: a link is shown, never
//! fetched or previewed), a field to write, "Clear chat" and "Clear for everyone".

use super::language::use_texts;
use crate::call::{ChatLine, UiAction};
use leptos::prelude::*;

#[component]
pub fn ChatPanel(lines: RwSignal<Vec<ChatLine>>, act: Callback<UiAction>) -> impl IntoView {
    let texts = use_texts();
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
        <section class="chat" aria-label=move || texts.get().chat>
            <h2>{move || texts.get().chat}</h2>
            <Show when=move || lines.with(Vec::is_empty)>
                <p class="hint">{move || texts.get().chat_empty}</p>
            </Show>
            <ol class="chat-lines" aria-live="polite">
                <For each=move || lines.get() key=|line| (line.id, line.not_delivered_to.len()) let(line)>
                    <li class:mine=line.mine>
                        <span class="who">{move || texts.get().person(&line.name)}</span>" "<time>{line.time}</time>
                        <p class="text">{line.text}</p>
                        {Some(line.not_delivered_to).filter(|names| !names.is_empty()).map(|names| view! {
                            <p class="error">{move || texts.with(|texts| {
                                let names: Vec<String> = names.iter().map(|name| texts.person(name)).collect();
                                texts.not_delivered(&names)
                            })}</p>
                        })}
                    </li>
                </For>
            </ol>
            <form class="chat-compose" on:submit=send>
                <label>
                    {move || texts.get().chat_message}
                    <input type="text" bind:value=draft autocomplete="off"/>
                </label>
                <button type="submit" class="primary">{move || texts.get().send}</button>
            </form>
            <div class="chat-actions">
                <button on:click=move |_| act.run(UiAction::ClearChat)>{move || texts.get().clear_chat}</button>
                <button on:click=move |_| act.run(UiAction::ClearChatForEveryone)>{move || texts.get().clear_chat_for_everyone}</button>
            </div>
        </section>
    }
}
