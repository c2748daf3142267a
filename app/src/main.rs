//! Entry point of the browser app: panic hook, then mount.

mod call;
mod i18n;
mod invite;
mod operator;
mod prefs;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
