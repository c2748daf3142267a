//! Files in the meeting: the "Send file" button (the browser's file picker), dropping files onto
//! the meeting, and the list of transfers with progress, speed, "Cancel", and "Save" for a
//! received file (offered for saving, never opened).

use super::language::use_locale;
use crate::call::{TransferKey, TransferState, TransferView, UiAction};
use crate::i18n::{Locale, person};
use leptos::html::Input;
use leptos::prelude::*;
use leptos_i18n::td_string;
use protocol::PeerId;
use send_wrapper::SendWrapper;
use web_sys::FileList;

/// Sends every file of `files` to `to` (everyone if `None`).
pub fn send_all(files: Option<FileList>, to: Option<PeerId>, act: Callback<UiAction>) {
    let Some(files) = files else {
        return;
    };
    for index in 0..files.length() {
        if let Some(file) = files.get(index) {
            act.run(UiAction::SendFile(SendWrapper::new(file), to));
        }
    }
}

/// A "Send file" button (to everyone, or to the one person `to`) and its hidden file input.
#[component]
pub fn SendFileButton(
    act: Callback<UiAction>,
    #[prop(optional)] to: Option<PeerId>,
    /// The accessible name, when it is not just "Send file".
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let locale = use_locale();
    let input = NodeRef::<Input>::new();
    let label = move || label.map(|label| label.get());
    view! {
        <input type="file" multiple class="hidden" node_ref=input tabindex="-1" aria-hidden="true"
            on:change=move |_| {
                if let Some(input) = input.get() {
                    send_all(input.files(), to, act);
                    // The same file may be chosen again.
                    input.set_value("");
                }
            }/>
        <button title=move || td_string!(locale.get(), file_limit_hint) aria-label=label on:click=move |_| {
            if let Some(input) = input.get() {
                input.click();
            }
        }>{move || td_string!(locale.get(), send_file)}</button>
    }
}

#[component]
pub fn FilesPanel(
    transfers: RwSignal<Vec<TransferView>>,
    act: Callback<UiAction>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section class="files" aria-label=move || td_string!(locale.get(), files)>
            <h2>{move || td_string!(locale.get(), files)}</h2>
            <p class="hint">{move || td_string!(locale.get(), file_limit_hint)}</p>
            <ul aria-live="polite">
                <For each=move || transfers.get() key=|view| (view.key, state_key(&view.state), view.percent) let(view)>
                    <Transfer view act/>
                </For>
            </ul>
        </section>
    }
}

#[component]
fn Transfer(view: TransferView, act: Callback<UiAction>) -> impl IntoView {
    let locale = use_locale();
    let key = view.key;
    let name = view.name.clone();
    let title = {
        let (name, size, from) = (view.name.clone(), size_text(view.size), view.from.clone());
        move || match &from {
            None => format!("{name} ({size})"),
            Some(from) => format!("{name} ({size}) · {}", person(locale.get(), from)),
        }
    };
    // "Cancel notes.txt": an action named with the file it acts on.
    let on_file = {
        let name = name.clone();
        move |action: fn(Locale) -> &'static str| {
            let name = name.clone();
            move || format!("{} {name}", action(locale.get()))
        }
    };
    let status = match &view.state {
        TransferState::Active => view! {
            <progress max="100" value=view.percent aria-label=name.clone()></progress>
            <span class="hint">{format!("{} % · {}/s", view.percent, size_text(view.bytes_per_second as u64))}</span>
            <button aria-label=on_file(|locale| td_string!(locale, cancel))
                on:click=move |_| act.run(UiAction::CancelTransfer(key))>{move || td_string!(locale.get(), cancel)}</button>
        }
        .into_any(),
        TransferState::Done(Some(url)) => view! {
            <a class="save" href=url.clone() download=name.clone()
                aria-label=on_file(|locale| td_string!(locale, save))>{move || td_string!(locale.get(), save)}</a>
        }
        .into_any(),
        TransferState::Done(None) => view! { <span class="hint">{move || td_string!(locale.get(), file_sent)}</span> }.into_any(),
        TransferState::Cancelled => {
            view! { <span class="hint">{move || td_string!(locale.get(), file_cancelled)}</span> }.into_any()
        }
        TransferState::Damaged => view! { <span class="error">{move || td_string!(locale.get(), file_damaged)}</span> }.into_any(),
        TransferState::Failed => view! { <span class="error">{move || td_string!(locale.get(), file_failed)}</span> }.into_any(),
    };
    let incoming = matches!(key, TransferKey::In(..));
    view! {
        <li class="transfer" class:incoming=incoming data-percent=view.percent>
            <span class="file-name">{title}</span>
            {status}
        </li>
    }
}

/// Part of a key that changes with what the row shows, so the row is redrawn.
fn state_key(state: &TransferState) -> u8 {
    match state {
        TransferState::Active => 0,
        TransferState::Done(_) => 1,
        TransferState::Cancelled => 2,
        TransferState::Damaged => 3,
        TransferState::Failed => 4,
    }
}

/// "20.0 MB", "512 KB", "900 B" (decimal units, as file managers show them).
pub fn size_text(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} KB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}
