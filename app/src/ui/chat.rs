//! The chat panel: the messages with name and local time (text only: a link is shown, never
//! fetched or previewed), a field to write, "Clear chat" and "Clear for everyone".

use crate::call::{ChatLine, UiAction};
use crate::i18n::Texts;
use leptos::prelude::*;

#[component]
pub fn ChatPanel(lines: RwSignal<Vec<ChatLine>>, act: Callback<UiAction>) -> impl IntoView {
    let texts = expect_context::<&'static Texts>();
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
        <section class="chat" aria-label=texts.chat>
            <h2>{texts.chat}</h2>
            <Show when=move || lines.with(Vec::is_empty)>
                <p class="hint">{texts.chat_empty}</p>
            </Show>
            <ol class="chat-lines" aria-live="polite">
                <For each=move || lines.get() key=|line| (line.id, line.not_delivered_to.len()) let(line)>
                    <li class:mine=line.mine>
                        <span class="who">{line.name}</span>" "<time>{line.time}</time>
                        <p class="text">{line.text}</p>
                        {(!line.not_delivered_to.is_empty()).then(|| view! {
                            <p class="error">{texts.not_delivered(&line.not_delivered_to)}</p>
                        })}
                    </li>
                </For>
            </ol>
            <form class="chat-compose" on:submit=send>
                <label>
                    {texts.chat_message}
                    <input type="text" bind:value=draft autocomplete="off"/>
                </label>
                <button type="submit" class="primary">{texts.send}</button>
            </form>
            <div class="chat-actions">
                <button on:click=move |_| act.run(UiAction::ClearChat)>{texts.clear_chat}</button>
                <button on:click=move |_| act.run(UiAction::ClearChatForEveryone)>{texts.clear_chat_for_everyone}</button>
            </div>
        </section>
    }
}
