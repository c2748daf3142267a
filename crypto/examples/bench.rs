//! Native benchmark: `cargo run --release -p crypto --example bench`.
//! Prints the key schedule's time at the chosen Argon2id parameters (median of several runs) and the
//! throughput of sealing and opening signalling messages and stream frames of 1 KiB and 64 KiB.

use std::time::{Duration, Instant};

use crypto::{KDF_V1, PairChannel, RoomName, StreamOpener, StreamSealer, derive_room_keys};
use protocol::PeerId;

const KDF_RUNS: usize = 7;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

fn mib_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let room = RoomName::parse("k7qm-2xhd-9fpa-rt3w-bn6e")?;
    let times = (0..KDF_RUNS)
        .map(|_| {
            let start = Instant::now();
            let keys = derive_room_keys("correct horse battery staple", &room);
            let elapsed = start.elapsed();
            keys.map(|_| elapsed)
        })
        .collect::<Result<Vec<_>, _>>()?;
    println!(
        "key schedule (Argon2id m = {} KiB, t = {}, p = {} + HKDF): median {:.0} ms of {KDF_RUNS} runs (min {:.0} ms, max {:.0} ms)",
        KDF_V1.m_kib,
        KDF_V1.t,
        KDF_V1.p,
        median(times.clone()).as_secs_f64() * 1e3,
        times.iter().min().map_or(0.0, |t| t.as_secs_f64() * 1e3),
        times.iter().max().map_or(0.0, |t| t.as_secs_f64() * 1e3),
    );

    // What other Argon2id parameter sets would cost here: OWASP's minimum, Stube v1, RFC 9106's
    // second recommendation (with one lane).
    for (m_kib, t) in [(19 * 1024, 2), (32 * 1024, 3), (64 * 1024, 3)] {
        let argon2 = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(m_kib, t, 1, Some(32))?,
        );
        let times = (0..KDF_RUNS)
            .map(|_| {
                let mut out = [0u8; 32];
                let start = Instant::now();
                argon2
                    .hash_password_into(b"passphrase", b"sixteen byte salt", &mut out)
                    .map(|()| start.elapsed())
            })
            .collect::<Result<Vec<_>, _>>()?;
        println!(
            "Argon2id m = {m_kib} KiB, t = {t}, p = 1: median {:.0} ms",
            median(times).as_secs_f64() * 1e3
        );
    }

    let keys = derive_room_keys("correct horse battery staple", &room)?;
    for size in [1024, 64 * 1024] {
        let plaintext = vec![0x42u8; size];
        let count = (64 * 1024 * 1024 / size).max(1);

        let room = keys.room_id().clone();
        let mut alice = PairChannel::new(
            keys.signal(),
            room.clone(),
            PeerId(1),
            PeerId(2),
            b"a",
            b"b",
        )?;
        let mut bob = PairChannel::new(keys.signal(), room, PeerId(2), PeerId(1), b"b", b"a")?;
        let start = Instant::now();
        let envelopes = (0..count)
            .map(|_| alice.seal(2, &plaintext))
            .collect::<Result<Vec<_>, _>>()?;
        let sealed = start.elapsed();
        let start = Instant::now();
        for envelope in &envelopes {
            bob.open(envelope)?;
        }
        let opened = start.elapsed();
        println!(
            "signal {:>2} KiB x {count}: seal {:.0} MiB/s, open {:.0} MiB/s",
            size / 1024,
            mib_per_s(size * count, sealed),
            mib_per_s(size * count, opened)
        );

        let mut sealer = StreamSealer::new(keys.chat(), keys.room_id())?;
        let mut opener = StreamOpener::new(keys.chat(), keys.room_id(), sealer.stream_id());
        let start = Instant::now();
        let frames = (0..count)
            .map(|_| sealer.seal(1, &plaintext))
            .collect::<Result<Vec<_>, _>>()?;
        let sealed = start.elapsed();
        let start = Instant::now();
        for frame in &frames {
            opener.open(frame)?;
        }
        let opened = start.elapsed();
        println!(
            "stream {:>2} KiB x {count}: seal {:.0} MiB/s, open {:.0} MiB/s",
            size / 1024,
            mib_per_s(size * count, sealed),
            mib_per_s(size * count, opened)
        );
    }
    Ok(())
}
