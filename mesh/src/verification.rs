//! "Mark as verified": the safety numbers the user compared with someone (by phone, in person)
//! and marked, remembered for this meeting by that person's session, so that a connection of
//! the same session that comes back with another safety number shows a warning instead of the
//! badge.
//!
//! A session is not an identity: a server that knows the passphrase can name someone's session
//! in a hello of its own. That only ever leads to [`Verification::Changed`], never to the badge,
//! because the badge needs the very safety number the user compared. A person who reloads the
//! page has a new session and shows as not verified: honest, since they have new certificates.

use std::collections::BTreeMap;

use crypto::SafetyNumber;

/// Most marks kept; the user makes them one click at a time, so this is only a backstop.
pub const MAX_MARKS: usize = 256;

/// What the user knows about a participant's safety number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verification {
    /// Not marked (or no safety number yet).
    #[default]
    Unmarked,
    /// Marked, and the connection's safety number is the one that was marked.
    Verified,
    /// Marked earlier, but this connection of the same session has another safety number.
    Changed,
}

/// The marks of one meeting, in memory only.
#[derive(Debug, Default)]
pub struct Marks {
    by_session: BTreeMap<u128, SafetyNumber>,
}

impl Marks {
    /// Marks `number` as compared for `session` (replacing an earlier mark); `false` if too many
    /// sessions are marked already.
    pub fn mark(&mut self, session: u128, number: SafetyNumber) -> bool {
        if self.by_session.len() >= MAX_MARKS && !self.by_session.contains_key(&session) {
            return false;
        }
        self.by_session.insert(session, number);
        true
    }

    /// What a connection of `session` with safety number `number` (if known yet) shows.
    pub fn verification(&self, session: u128, number: Option<SafetyNumber>) -> Verification {
        match (self.by_session.get(&session), number) {
            (None, _) | (Some(_), None) => Verification::Unmarked,
            (Some(marked), Some(number)) if *marked == number => Verification::Verified,
            (Some(_), Some(_)) => Verification::Changed,
        }
    }
}
