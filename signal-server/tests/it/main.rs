//! Integration tests: a real server on port 0 and real WebSocket clients, plus the router driven
//! directly for the static files.

mod config;
mod flood;
mod join_rate;
mod limits;
mod malformed;
mod metrics;
mod networks;
mod operator;
mod origin;
mod queues;
mod room_path;
mod seats;
mod shutdown;
mod signalling;
mod support;
mod tls;
mod web;
