//! The room state machine, driven through its public interface with the real cryptography: a
//! scripted peer or other real rooms on the other side, and a server the test plays (honest, or
//! replaying, reflecting, reassigning ids).

mod attacks;
mod chat_stream;
mod handshake;
mod media;
mod network;
mod resume;
mod support;
mod verification;
