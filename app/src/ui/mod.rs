//! The Leptos components. They read signals and send [`crate::call::UiAction`]s; the logic lives
//! in `mesh`, `crypto` and the session task.

mod app;
mod chat;
mod clipboard;
mod devices;
mod early_keys;
mod files;
mod hide_ip;
mod home;
mod kdf_worker;
mod language;
mod legal;
mod meeting;
mod participants;
mod prejoin;
mod tile;

pub use app::App;
