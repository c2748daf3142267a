//! The KDF worker: a second, small wasm program that the pre-join page starts as a web worker, so
//! that Argon2id (`crypto::kdf::stretch_normalized`, about 0.1 s and 32 MiB) runs off the page's
//! thread while the person types. It answers each [`Request`] with a [`Reply`] and keeps nothing
//! between requests.

use app::kdf_message::{READY, Reply, Request};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let answer = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        // Anything but a request comes from no page of ours: there is nobody to answer.
        let Some(request) = Request::from_js(&event.data()) else {
            return;
        };
        let root = crypto::kdf::stretch_normalized(&request.password, &request.salt).ok();
        let reply = Reply {
            id: request.id,
            root,
        }
        .to_js();
        // Posting fails only for values that cannot be cloned; an array of a number and bytes can.
        let _ = replies.post_message(&reply);
        Reply::wipe_posted(&reply);
    });
    scope.set_onmessage(Some(answer.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    answer.forget();
    // A string can always be posted.
    let _ = scope.post_message(&READY.into());
}
