//! The page's handle on its KDF worker (`bin/kdf_worker.rs`): starts it, posts requests (holding
//! the latest one until the worker says it is ready; older ones are stale by then) and hands
//! every reply, or the news that the worker broke (its script did not load, or it failed), to
//! one callback. Dropping the handle terminates the worker.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use app::kdf_message::{FromWorker, Reply, Request, WORKER_SCRIPT};
use crypto::RoomName;
use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, Worker};

/// What the worker did.
pub enum Outcome {
    /// It answered request `id`.
    Answered(Reply),
    /// It broke: no request still open will be answered.
    Broke,
}

/// Whether requests can go to the worker yet.
enum Delivery {
    /// Its program is loading; the latest request waits for it.
    Loading(Option<JsValue>),
    Ready,
}

/// A running KDF worker.
pub struct KdfWorker {
    worker: Worker,
    next_id: Cell<u32>,
    delivery: Rc<RefCell<Delivery>>,
    _replies: EventListener,
    _failures: [EventListener; 2],
}

impl KdfWorker {
    /// Starts the worker (its script loads in the background) and reports to `on_outcome`.
    pub fn start(on_outcome: impl Fn(Outcome) + 'static) -> Result<Self, JsValue> {
        let worker = Worker::new(WORKER_SCRIPT)?;
        let on_outcome = Rc::new(on_outcome);
        let delivery = Rc::new(RefCell::new(Delivery::Loading(None)));
        let replies = {
            let (on_outcome, delivery, ready_worker) =
                (on_outcome.clone(), delivery.clone(), worker.clone());
            EventListener::new(&worker, "message", move |event| {
                match FromWorker::from_js(&event.unchecked_ref::<MessageEvent>().data()) {
                    Some(FromWorker::Ready) => {
                        let held = delivery.replace(Delivery::Ready);
                        if let Delivery::Loading(Some(request)) = held
                            && ready_worker.post_message(&request).is_err()
                        {
                            on_outcome(Outcome::Broke);
                        }
                    }
                    Some(FromWorker::Reply(reply)) => on_outcome(Outcome::Answered(reply)),
                    None => on_outcome(Outcome::Broke),
                }
            })
        };
        let failures = ["error", "messageerror"].map(|kind| {
            let on_outcome = on_outcome.clone();
            EventListener::new(&worker, kind, move |_| on_outcome(Outcome::Broke))
        });
        Ok(Self {
            worker,
            next_id: Cell::new(0),
            delivery,
            _replies: replies,
            _failures: failures,
        })
    }

    /// Asks for the root secret of `room` under `passphrase`; returns the request's id.
    pub fn stretch(&self, passphrase: &str, room: &RoomName) -> Result<u32, JsValue> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let request = Request {
            id,
            password: crypto::keys::normalize_passphrase(passphrase)
                .as_str()
                .to_owned(),
            salt: crypto::kdf::argon2_salt(room),
        };
        match &mut *self.delivery.borrow_mut() {
            Delivery::Loading(held) => *held = Some(request.to_js()),
            Delivery::Ready => self.worker.post_message(&request.to_js())?,
        }
        Ok(id)
    }
}

impl Drop for KdfWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
