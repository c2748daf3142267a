//! Browser benchmark, wasm only, run when named (it is not part of `cargo test`):
//! `cargo test -p crypto --release --target wasm32-unknown-unknown --test wasm_bench -- --nocapture`.
//! Prints the key schedule's time at the chosen Argon2id parameters (median of several runs) and
//! the throughput of sealing and opening 1 KiB and 64 KiB messages, timed with `Date.now()`. Each
//! measurement first yields to the event loop so the test runner's polling is never starved.
#![cfg(target_arch = "wasm32")]

use crypto::{
    KDF_V1, PairChannel, RoomKeys, RoomName, StreamOpener, StreamSealer, derive_room_keys,
};
use protocol::PeerId;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const KDF_RUNS: usize = 5;
/// Argon2id parameter sets (m in KiB, t) measured for comparison: OWASP's minimum, Stube v1, RFC
/// 9106's second recommendation (with one lane).
const ALTERNATIVES: [(u32, u32); 3] = [(19 * 1024, 2), (32 * 1024, 3), (64 * 1024, 3)];
/// Bytes sealed (and opened) per throughput measurement.
const VOLUME: usize = 8 * 1024 * 1024;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn mib_per_s(bytes: usize, ms: f64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / (ms.max(1.0) / 1e3)
}

/// Waits for a `setTimeout(0)` task, letting the browser (and the test runner) run in between.
async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout"))
            .expect("setTimeout exists")
            .unchecked_into::<js_sys::Function>();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &JsValue::from(0))
            .expect("setTimeout runs");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("setTimeout resolves");
}

fn room() -> RoomName {
    RoomName::parse("k7qm-2xhd-9fpa-rt3w-bn6e").expect("valid")
}

fn keys() -> RoomKeys {
    derive_room_keys("correct horse battery staple", &room()).expect("derives")
}

#[wasm_bindgen_test]
async fn bench_1_key_schedule() {
    let mut times = Vec::new();
    for _ in 0..KDF_RUNS {
        yield_to_event_loop().await;
        let start = now_ms();
        keys();
        times.push(now_ms() - start);
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "wasm key schedule (Argon2id m = {} KiB, t = {}, p = {} + HKDF): median {:.0} ms of {KDF_RUNS} runs (min {:.0}, max {:.0})",
        KDF_V1.m_kib,
        KDF_V1.t,
        KDF_V1.p,
        times[KDF_RUNS / 2],
        times[0],
        times[KDF_RUNS - 1]
    );
}

async fn bench_signal(size: usize) {
    let keys = keys();
    let plaintext = vec![0x42u8; size];
    let count = VOLUME / size;
    let room = keys.room_id().clone();
    let mut alice = PairChannel::new(
        keys.signal(),
        room.clone(),
        PeerId(1),
        PeerId(2),
        b"a",
        b"b",
    )
    .expect("two hellos");
    let mut bob = PairChannel::new(keys.signal(), room, PeerId(2), PeerId(1), b"b", b"a")
        .expect("two hellos");
    yield_to_event_loop().await;
    let start = now_ms();
    let envelopes: Vec<Vec<u8>> = (0..count)
        .map(|_| alice.seal(2, &plaintext).expect("seals"))
        .collect();
    let sealed = now_ms() - start;
    yield_to_event_loop().await;
    let start = now_ms();
    for envelope in &envelopes {
        bob.open(envelope).expect("opens");
    }
    let opened = now_ms() - start;
    console_log!(
        "wasm signal {} KiB x {count}: seal {:.1} MiB/s, open {:.1} MiB/s",
        size / 1024,
        mib_per_s(VOLUME, sealed),
        mib_per_s(VOLUME, opened)
    );
}

async fn bench_stream(size: usize) {
    let keys = keys();
    let plaintext = vec![0x42u8; size];
    let count = VOLUME / size;
    let mut sealer = StreamSealer::new(keys.chat(), keys.room_id()).expect("randomness");
    let mut opener = StreamOpener::new(keys.chat(), keys.room_id(), sealer.stream_id());
    yield_to_event_loop().await;
    let start = now_ms();
    let frames: Vec<Vec<u8>> = (0..count)
        .map(|_| sealer.seal(1, &plaintext).expect("seals"))
        .collect();
    let sealed = now_ms() - start;
    yield_to_event_loop().await;
    let start = now_ms();
    for frame in &frames {
        opener.open(frame).expect("opens");
    }
    let opened = now_ms() - start;
    console_log!(
        "wasm stream {} KiB x {count}: seal {:.1} MiB/s, open {:.1} MiB/s",
        size / 1024,
        mib_per_s(VOLUME, sealed),
        mib_per_s(VOLUME, opened)
    );
}

/// Argon2id alone at other parameter sets, to show what a change of [`KDF_V1`] would cost.
#[wasm_bindgen_test]
async fn bench_1b_argon2id_alternatives() {
    for (m_kib, t) in ALTERNATIVES {
        let params = argon2::Params::new(m_kib, t, 1, Some(32)).expect("valid parameters");
        let argon2 =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut times = Vec::new();
        for _ in 0..3 {
            yield_to_event_loop().await;
            let mut out = [0u8; 32];
            let start = now_ms();
            argon2
                .hash_password_into(b"passphrase", b"sixteen byte salt", &mut out)
                .expect("hashes");
            times.push(now_ms() - start);
        }
        times.sort_by(f64::total_cmp);
        console_log!(
            "wasm Argon2id m = {m_kib} KiB, t = {t}, p = 1: median {:.0} ms of 3",
            times[1]
        );
    }
}

#[wasm_bindgen_test]
async fn bench_2_signal_1_kib() {
    bench_signal(1024).await;
}

#[wasm_bindgen_test]
async fn bench_3_signal_64_kib() {
    bench_signal(64 * 1024).await;
}

#[wasm_bindgen_test]
async fn bench_4_stream_1_kib() {
    bench_stream(1024).await;
}

#[wasm_bindgen_test]
async fn bench_5_stream_64_kib() {
    bench_stream(64 * 1024).await;
}
