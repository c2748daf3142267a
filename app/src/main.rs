//! Entry point of the browser app: panic hook, then mount.

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <main data-app-ready><h1>"Stube"</h1></main> });
}
