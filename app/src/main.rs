//! Entry point of the browser app: panic hook, then mount.

mod call;
mod fetch;
mod i18n;
mod invite;
mod operator;
mod prefs;
mod ui;
mod word_lists;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
