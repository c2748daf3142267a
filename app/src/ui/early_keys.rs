//! The room keys, derived while the person is still on the pre-join page: once the passphrase
//! has rested for [`PAUSE_MILLIS`], the KDF worker ([`super::kdf_worker`]) stretches it, off the
//! page's thread, and the cheap rest of the key schedule runs here when it answers. "Join" then
//! finds the keys ready, or waits only for the derivation already under way.
//!
//! The keys are kept with a SHA-256 digest of the passphrase they belong to, not the passphrase,
//! and used only if Join is pressed with that very passphrase; a change, or leaving the page (which
//! terminates the worker), drops them. The worker starts with the page, so that its program
//! has loaded by the time the passphrase rests.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use crypto::{RoomKeys, RoomName};
use futures_channel::oneshot;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use sha2::{Digest, Sha256};

use super::kdf_worker::{KdfWorker, Outcome};

/// How long the passphrase must stay unchanged before the keys are derived.
pub const PAUSE_MILLIS: u32 = 400;

/// The keys could not be derived in this browser (the worker did not start or broke, or the KDF
/// could not run).
#[derive(Debug)]
pub struct NoKeys;

type Derivation = Result<RoomKeys, NoKeys>;

/// Keys derived ahead for the passphrase field's current text.
#[derive(Clone, Copy)]
pub struct EarlyKeys {
    inner: StoredValue<Rc<Inner>, LocalStorage>,
}

impl EarlyKeys {
    /// Derives the keys for `room` whenever `passphrase` has rested for [`PAUSE_MILLIS`].
    pub fn follow(passphrase: RwSignal<String>, room: RoomName) -> Self {
        let inner = Rc::new(Inner {
            room,
            worker: RefCell::new(None),
            broken: Cell::new(false),
            slot: RefCell::new(None),
            pause: RefCell::new(None),
        });
        inner.start_worker();
        let following = Rc::clone(&inner);
        Effect::new(move |_| {
            let typed = passphrase.get();
            following.forget_unclaimed();
            if typed.trim().is_empty() {
                return;
            }
            let weak = Rc::downgrade(&following);
            // Replacing the timer cancels the one for the previous text.
            following
                .pause
                .replace(Some(Timeout::new(PAUSE_MILLIS, move || {
                    if let Some(inner) = weak.upgrade() {
                        inner.derive(&typed);
                    }
                })));
        });
        Self {
            inner: StoredValue::new_local(inner),
        }
    }

    /// The keys for `typed`: the ones derived ahead if they belong to exactly that passphrase,
    /// else those of the derivation under way for it, else a new one's. Claims them at once, so
    /// that clearing the passphrase field afterwards does not drop them.
    pub fn claim(self, typed: &str) -> impl Future<Output = Derivation> + 'static {
        let claimed = self.inner.try_get_value().map(|inner| inner.claim(typed));
        async move {
            match claimed {
                Some(Claimed::Ready(keys)) => keys,
                Some(Claimed::Pending(answer)) => answer.await.unwrap_or(Err(NoKeys)),
                None => Err(NoKeys),
            }
        }
    }
}

struct Inner {
    room: RoomName,
    worker: RefCell<Option<KdfWorker>>,
    broken: Cell<bool>,
    /// The derivation for the latest rested (or claimed) passphrase.
    slot: RefCell<Option<Slot>>,
    pause: RefCell<Option<Timeout>>,
}

struct Slot {
    digest: [u8; 32],
    /// The worker's request id; `None` if the request could not be made.
    request: Option<u32>,
    keys: Option<Derivation>,
    /// Join's claim, waiting for the worker's answer.
    claim: Option<oneshot::Sender<Derivation>>,
}

enum Claimed {
    Ready(Derivation),
    Pending(oneshot::Receiver<Derivation>),
}

fn digest(passphrase: &str) -> [u8; 32] {
    Sha256::digest(passphrase.as_bytes()).into()
}

impl Inner {
    fn start_worker(self: &Rc<Self>) {
        if self.worker.borrow().is_some() || self.broken.get() {
            return;
        }
        let weak: Weak<Self> = Rc::downgrade(self);
        match KdfWorker::start(move |outcome| {
            if let Some(inner) = weak.upgrade() {
                inner.settle(outcome);
            }
        }) {
            Ok(worker) => *self.worker.borrow_mut() = Some(worker),
            Err(_) => self.broken.set(true),
        }
    }

    /// Drops the keys and the pending derivation, unless Join has claimed them.
    fn forget_unclaimed(&self) {
        self.pause.replace(None);
        let mut slot = self.slot.borrow_mut();
        if slot.as_ref().is_some_and(|slot| slot.claim.is_none()) {
            *slot = None;
        }
    }

    fn derive(self: &Rc<Self>, typed: &str) {
        self.start_worker();
        let request = if self.broken.get() {
            None
        } else {
            self.worker
                .borrow()
                .as_ref()
                .and_then(|worker| worker.stretch(typed, &self.room).ok())
        };
        self.slot.replace(Some(Slot {
            digest: digest(typed),
            request,
            keys: request.is_none().then_some(Err(NoKeys)),
            claim: None,
        }));
    }

    fn claim(self: &Rc<Self>, typed: &str) -> Claimed {
        // No derivation for older text may start behind Join's back.
        self.pause.replace(None);
        let wanted = digest(typed);
        let derived_ahead = self
            .slot
            .borrow()
            .as_ref()
            .is_some_and(|slot| slot.digest == wanted);
        if !derived_ahead {
            self.derive(typed);
        }
        let mut slot = self.slot.borrow_mut();
        let Some(slot) = slot.as_mut() else {
            return Claimed::Ready(Err(NoKeys));
        };
        match slot.keys.take() {
            Some(keys) => Claimed::Ready(keys),
            None => {
                let (answer, answered) = oneshot::channel();
                slot.claim = Some(answer);
                Claimed::Pending(answered)
            }
        }
    }

    fn settle(&self, outcome: Outcome) {
        let derivation = match outcome {
            Outcome::Answered(reply) => {
                let current = self.slot.borrow().as_ref().and_then(|slot| slot.request);
                if current != Some(reply.id) {
                    // An answer for text that has changed since: dropped (and zeroized).
                    return;
                }
                reply
                    .root
                    .map(|root| RoomKeys::from_root(&self.room, &root))
                    .ok_or(NoKeys)
            }
            Outcome::Broke => {
                self.broken.set(true);
                Err(NoKeys)
            }
        };
        let mut slot = self.slot.borrow_mut();
        // Keys already there stay, whatever happens to the worker later.
        if let Some(slot) = slot.as_mut().filter(|slot| slot.keys.is_none()) {
            match slot.claim.take() {
                Some(claim) => {
                    let _ = claim.send(derivation);
                }
                None => slot.keys = Some(derivation),
            }
        }
    }
}
