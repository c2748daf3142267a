//! End-to-end tests: the release server and the built app in headless Chromium, inside a private
//! network namespace (see `cargo xtask test`).

mod accessibility;
mod audio_only;
mod call;
mod caps;
mod chat;
mod edges;
mod hands;
mod page_load;
mod resilience;
mod verification;
