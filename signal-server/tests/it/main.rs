//! Integration tests: a real server on port 0 and real WebSocket clients, plus the router driven
//! directly for the static files.

mod config;
mod limits;
mod malformed;
mod shutdown;
mod signalling;
mod support;
mod web;
