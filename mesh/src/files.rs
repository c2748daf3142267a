//! Sending a file to the others, and receiving theirs: the bookkeeping of one transfer, with the
//! sealing inside.
//!
//! A transfer is announced with a [`FileOffer`] on the chat channel (so the offer itself is
//! sealed under the sender's chat stream and can come only from a verified participant). The
//! offer names a fresh stream (`crypto::StreamSealer` under the chat key) that carries the file's
//! chunks on the separate file channel, each frame prefixed with the transfer's number, and
//! finally a frame with the SHA-256 of the whole file. The receiver opens every frame under that
//! stream (strictly in order: a dropped, replayed or reordered frame fails), counts the bytes
//! against the offered size, and hashes as it goes; the file is offered for saving only when the
//! whole of it arrived and the hash matches. Neither side holds the file in this module: the
//! sender reads one chunk at a time, the receiver hands every opened chunk to the browser.
//! Names lose any path and the invisible characters that could disguise them.
//!
//! The AES-256-GCM of a chunk may run here ([`Outgoing::seal_chunk`], [`Incoming::receive`]) or
//! outside, in the browser's WebCrypto with hardware AES: a [`SealJob`] or [`OpenJob`] carries the
//! frame's head, nonce and associated data, the bookkeeping (counters, sizes, hash) stays here,
//! and a frame counts only with the proof ([`Authenticated`]) that its tag verified.

use crypto::stream::STREAM_HEADER_LEN;
use crypto::{Authenticated, FrameSpec, RoomKeys, StreamId, StreamKey, StreamOpener, StreamSealer};
use protocol::PeerId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The largest file that may be sent (2 GiB).
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Plaintext bytes per chunk frame: a quarter of the 256 KiB message size Chromium and Firefox accept.
pub const CHUNK_BYTES: u64 = 64 * 1024;
/// A file name is cut to this many characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;
/// Transfers from others received at once; one more offer is declined.
pub const MAX_INCOMING: usize = 8;

/// The stream frame kinds of a file's stream.
const CHUNK_KIND: u8 = 2;
const END_KIND: u8 = 3;
/// The transfer number before each sealed frame on the file channel.
const PREFIX_BYTES: usize = 8;
/// A frame's bytes before its ciphertext: the transfer number and the stream header.
pub const FRAME_HEAD_BYTES: usize = PREFIX_BYTES + STREAM_HEADER_LEN;

/// One frame of a transfer before its AES-256-GCM: the frame is [`Self::head`] followed by the
/// `ciphertext || tag` of the chunk under the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealJob {
    head: [u8; FRAME_HEAD_BYTES],
    spec: FrameSpec,
}

impl SealJob {
    fn new(transfer: u64, spec: FrameSpec) -> Self {
        let mut head = [0; FRAME_HEAD_BYTES];
        head[..PREFIX_BYTES].copy_from_slice(&transfer.to_be_bytes());
        head[PREFIX_BYTES..].copy_from_slice(&spec.header());
        Self { head, spec }
    }

    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn spec(&self) -> &FrameSpec {
        &self.spec
    }
}

/// A received frame whose head checked out (known version, a later counter), before its
/// `ciphertext || tag` (the frame after [`FRAME_HEAD_BYTES`]) is opened under [`OpenJob::spec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenJob(FrameSpec);

impl OpenJob {
    pub fn spec(&self) -> &FrameSpec {
        &self.0
    }
}

/// A sender's announcement of one file (on the chat channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOffer {
    /// The sender's number for this transfer.
    pub transfer: u64,
    pub name: String,
    pub size: u64,
    /// The stream the chunks are sealed under.
    pub stream: [u8; 16],
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FileError {
    #[error("the file is larger than the limit of {MAX_FILE_BYTES} bytes")]
    TooLarge,
    #[error("the file is empty")]
    Empty,
    #[error("no random numbers for the file's stream")]
    NoRandomness,
    #[error("a frame did not open under the file's stream")]
    Unopenable,
    #[error("more data than the offer announced")]
    Overflow,
    #[error("the file ended before all of it arrived")]
    Truncated,
    #[error("the file does not match its SHA-256")]
    HashMismatch,
}

/// How far a transfer is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub size: u64,
    /// Mean speed since the transfer started.
    pub bytes_per_second: f64,
}

impl Progress {
    fn new(done: u64, size: u64, started_at: f64, now: f64) -> Self {
        let seconds = (now - started_at) / 1_000.0;
        Self {
            done,
            size,
            bytes_per_second: if seconds > 0.0 {
                done as f64 / seconds
            } else {
                0.0
            },
        }
    }

    /// Whole percent done, 0 to 100.
    pub fn percent(&self) -> u8 {
        if self.size == 0 {
            return 100;
        }
        u8::try_from(self.done.min(self.size) * 100 / self.size).unwrap_or(100)
    }
}

/// A file we send: the offer, the stream, how much is sealed, and the running hash.
pub struct Outgoing {
    offer: FileOffer,
    sealer: StreamSealer,
    sealed: u64,
    hasher: Sha256,
    started_at: f64,
}

impl Outgoing {
    /// Prepares sending `name` of `size` bytes; refused before anything is sent if it is empty
    /// or over [`MAX_FILE_BYTES`].
    pub fn new(
        keys: &RoomKeys,
        transfer: u64,
        name: &str,
        size: u64,
        now: f64,
    ) -> Result<Self, FileError> {
        check_size(size)?;
        let sealer =
            StreamSealer::new(keys.chat(), keys.room_id()).map_err(|_| FileError::NoRandomness)?;
        Ok(Self {
            offer: FileOffer {
                transfer,
                name: clean_name(name),
                size,
                stream: *sealer.stream_id().as_bytes(),
            },
            sealer,
            sealed: 0,
            hasher: Sha256::new(),
            started_at: now,
        })
    }

    pub fn offer(&self) -> &FileOffer {
        &self.offer
    }

    /// The byte range of the next chunk, `None` once all of it was sealed.
    pub fn next_range(&self) -> Option<(u64, u64)> {
        self.next_block(1)
    }

    /// The byte range of the next `chunks` chunks (fewer at the end of the file), to read at
    /// once and seal chunk by chunk; `None` once all of it was sealed.
    pub fn next_block(&self, chunks: u64) -> Option<(u64, u64)> {
        let length = CHUNK_BYTES.saturating_mul(chunks.max(1));
        (self.sealed < self.offer.size).then(|| {
            (
                self.sealed,
                self.sealed.saturating_add(length).min(self.offer.size),
            )
        })
    }

    /// Seals the chunk read for [`Self::next_range`] into a frame for the file channel.
    pub fn seal_chunk(&mut self, chunk: &[u8]) -> Result<Vec<u8>, FileError> {
        let job = self.chunk_job(chunk)?;
        self.seal(&job, chunk)
    }

    /// Takes the chunk read for [`Self::next_range`] into the hash and the count, and gives the
    /// job of sealing it (under [`Self::key`], outside this crate).
    pub fn chunk_job(&mut self, chunk: &[u8]) -> Result<SealJob, FileError> {
        let expected = self.next_range().map_or(0, |(start, end)| end - start);
        if chunk.len() as u64 != expected {
            return Err(FileError::Truncated);
        }
        let spec = self
            .sealer
            .next_spec(CHUNK_KIND)
            .map_err(|_| FileError::Overflow)?;
        self.hasher.update(chunk);
        self.sealed += expected;
        Ok(SealJob::new(self.offer.transfer, spec))
    }

    /// The last frame: the SHA-256 of the whole file. Only once every chunk was sealed.
    pub fn seal_end(&mut self) -> Result<Vec<u8>, FileError> {
        if self.next_range().is_some() {
            return Err(FileError::Truncated);
        }
        let digest = self.hasher.clone().finalize();
        let spec = self
            .sealer
            .next_spec(END_KIND)
            .map_err(|_| FileError::Overflow)?;
        self.seal(&SealJob::new(self.offer.transfer, spec), &digest)
    }

    /// The stream's key, for sealing [`SealJob`]s outside this crate.
    pub fn key(&self) -> &StreamKey {
        self.sealer.key()
    }

    pub fn progress(&self, now: f64) -> Progress {
        Progress::new(self.sealed, self.offer.size, self.started_at, now)
    }

    fn seal(&self, job: &SealJob, plaintext: &[u8]) -> Result<Vec<u8>, FileError> {
        let sealed = self
            .sealer
            .seal_spec(&job.spec, plaintext)
            .map_err(|_| FileError::Overflow)?;
        Ok([&job.head[..PREFIX_BYTES], &sealed].concat())
    }
}

/// The transfer number a frame on the file channel belongs to (`None`: too short to be one).
pub fn transfer_of(frame: &[u8]) -> Option<u64> {
    let prefix = frame.get(..PREFIX_BYTES)?;
    Some(u64::from_be_bytes(prefix.try_into().ok()?))
}

/// What one frame of an incoming transfer did.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// The next chunk of the file.
    Chunk(Vec<u8>),
    /// Every byte arrived and matches the file's SHA-256: it may be offered for saving.
    Complete,
}

/// A file someone sends us.
pub struct Incoming {
    offer: FileOffer,
    from: PeerId,
    opener: StreamOpener,
    received: u64,
    hasher: Sha256,
    started_at: f64,
}

impl Incoming {
    /// Takes an offer from `from` (a verified participant: it came on their chat stream).
    pub fn accept(
        keys: &RoomKeys,
        from: PeerId,
        offer: FileOffer,
        now: f64,
    ) -> Result<Self, FileError> {
        check_size(offer.size)?;
        let opener = StreamOpener::new(
            keys.chat(),
            keys.room_id(),
            StreamId::from_bytes(offer.stream),
        );
        Ok(Self {
            offer: FileOffer {
                name: clean_name(&offer.name),
                ..offer
            },
            from,
            opener,
            received: 0,
            hasher: Sha256::new(),
            started_at: now,
        })
    }

    pub fn offer(&self) -> &FileOffer {
        &self.offer
    }

    pub fn from(&self) -> PeerId {
        self.from
    }

    /// Opens the next frame of this transfer (its transfer number already matched).
    /// [`FileError::Unopenable`] frames are to be dropped and counted; every other error ends
    /// the transfer with nothing offered for saving.
    pub fn receive(&mut self, frame: &[u8]) -> Result<Received, FileError> {
        let job = self.open_job(frame)?;
        let sealed = frame.get(FRAME_HEAD_BYTES..).unwrap_or_default();
        let (plaintext, proof) = self
            .opener
            .open_spec(job.spec(), sealed)
            .map_err(|_| FileError::Unopenable)?;
        self.opened(job, plaintext, proof)
    }

    /// The job of opening a frame from its first [`FRAME_HEAD_BYTES`] (outside this crate, under
    /// [`Self::key`]); [`FileError::Unopenable`] if the head is not one this transfer can open.
    pub fn open_job(&self, head: &[u8]) -> Result<OpenJob, FileError> {
        let header = head
            .get(PREFIX_BYTES..FRAME_HEAD_BYTES)
            .ok_or(FileError::Unopenable)?;
        let spec = self
            .opener
            .spec(header)
            .map_err(|_| FileError::Unopenable)?;
        Ok(OpenJob(spec))
    }

    /// The `plaintext` a job's frame opened to, with the `proof` that it authenticated:
    /// counted, hashed and checked like a frame given to [`Self::receive`].
    pub fn opened(
        &mut self,
        job: OpenJob,
        plaintext: Vec<u8>,
        proof: Authenticated,
    ) -> Result<Received, FileError> {
        if !proof.is_for(job.spec()) {
            return Err(FileError::Unopenable);
        }
        self.opener.accept(proof);
        match job.spec().kind() {
            CHUNK_KIND => {
                let length = plaintext.len() as u64;
                if self.received + length > self.offer.size {
                    return Err(FileError::Overflow);
                }
                self.received += length;
                self.hasher.update(&plaintext);
                Ok(Received::Chunk(plaintext))
            }
            END_KIND if self.received < self.offer.size => Err(FileError::Truncated),
            END_KIND if self.hasher.clone().finalize().as_slice() == plaintext => {
                Ok(Received::Complete)
            }
            END_KIND => Err(FileError::HashMismatch),
            _ => Err(FileError::Unopenable),
        }
    }

    /// The stream's key, for opening [`OpenJob`]s outside this crate.
    pub fn key(&self) -> &StreamKey {
        self.opener.key()
    }

    pub fn progress(&self, now: f64) -> Progress {
        Progress::new(self.received, self.offer.size, self.started_at, now)
    }
}

fn check_size(size: u64) -> Result<(), FileError> {
    match size {
        0 => Err(FileError::Empty),
        size if size > MAX_FILE_BYTES => Err(FileError::TooLarge),
        _ => Ok(()),
    }
}

/// A name that is safe to show and to save under: no path, no control characters, not empty,
/// at most [`MAX_FILE_NAME_CHARS`].
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(MAX_FILE_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// The invisible characters that reorder text ("evil\u{202e}fdp.exe" shows as "evilexe.pdf").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto::RoomName;

    fn keys(passphrase: &str) -> RoomKeys {
        let room = RoomName::parse("files-test-room").expect("a valid room name");
        crypto::derive_room_keys(passphrase, &room).expect("keys")
    }

    const BOB: PeerId = PeerId(2);

    fn file(size: usize) -> Vec<u8> {
        (0..size).map(|i| (i * 7 % 251) as u8).collect()
    }

    /// Sends `data` and returns every frame, the end frame last.
    fn send(keys: &RoomKeys, data: &[u8]) -> (FileOffer, Vec<Vec<u8>>) {
        let mut outgoing = Outgoing::new(keys, 7, "report.pdf", data.len() as u64, 0.0)
            .expect("as the test sets it up");
        let mut frames = Vec::new();
        while let Some((start, end)) = outgoing.next_range() {
            frames.push(
                outgoing
                    .seal_chunk(&data[start as usize..end as usize])
                    .expect("as the test sets it up"),
            );
        }
        frames.push(outgoing.seal_end().expect("as the test sets it up"));
        (outgoing.offer().clone(), frames)
    }

    fn receive_all(incoming: &mut Incoming, frames: &[Vec<u8>]) -> Result<Vec<u8>, FileError> {
        let mut data = Vec::new();
        for frame in frames {
            assert_eq!(transfer_of(frame), Some(7));
            match incoming.receive(frame)? {
                Received::Chunk(chunk) => data.extend(chunk),
                Received::Complete => return Ok(data),
            }
        }
        Err(FileError::Truncated)
    }

    #[test]
    fn a_file_arrives_whole_and_checked_in_chunks() {
        let keys = keys("correct horse battery staple");
        let data = file(3 * CHUNK_BYTES as usize + 123);
        let (offer, frames) = send(&keys, &data);
        assert_eq!(frames.len(), 5);
        let mut incoming =
            Incoming::accept(&keys, BOB, offer, 0.0).expect("as the test sets it up");
        assert_eq!(receive_all(&mut incoming, &frames), Ok(data));
        let progress = incoming.progress(2_000.0);
        assert_eq!(progress.percent(), 100);
        let bytes = (3 * CHUNK_BYTES + 123) as f64;
        assert!((progress.bytes_per_second - bytes / 2.0).abs() < 1e-6);
    }

    /// AES-256-GCM outside `crypto`, as the browser's WebCrypto runs it: `ciphertext || tag`.
    fn outside(key: &StreamKey, spec: &FrameSpec, text: &[u8], seal: bool) -> Option<Vec<u8>> {
        use aes_gcm::aead::{Aead, Payload};
        use aes_gcm::{Aes256Gcm, KeyInit};
        let cipher = Aes256Gcm::new(key.expose().into());
        let nonce = spec.nonce().into();
        let payload = Payload {
            msg: text,
            aad: spec.aad(),
        };
        if seal {
            cipher.encrypt(&nonce, payload).ok()
        } else {
            cipher.decrypt(&nonce, payload).ok()
        }
    }

    #[test]
    fn jobs_sealed_and_opened_outside_make_the_same_frames() {
        let keys = keys("correct horse battery staple");
        let data = file(2 * CHUNK_BYTES as usize + 5);
        let (offer, frames) = send(&keys, &data);
        let mut outgoing = Outgoing::new(&keys, 7, "report.pdf", data.len() as u64, 0.0)
            .expect("as the test sets it up");
        let mut ours = Incoming::accept(&keys, BOB, outgoing.offer().clone(), 0.0)
            .expect("as the test sets it up");
        let mut incoming =
            Incoming::accept(&keys, BOB, offer, 0.0).expect("as the test sets it up");
        for frame in &frames[..frames.len() - 1] {
            let (start, end) = outgoing.next_range().expect("as many chunks as frames");
            let chunk = &data[start as usize..end as usize];
            // Sealed outside from a job: the frame opens here.
            let job = outgoing.chunk_job(chunk).expect("the expected length");
            let sealed = outside(outgoing.key(), job.spec(), chunk, true).expect("seals");
            let ours_frame = [job.head(), &sealed].concat();
            assert_eq!(ours_frame.len(), frame.len());
            assert_eq!(
                ours.receive(&ours_frame),
                Ok(Received::Chunk(chunk.to_vec()))
            );
            // Sealed here: a job opens it outside.
            let job = incoming
                .open_job(&frame[..FRAME_HEAD_BYTES])
                .expect("a later counter");
            let body = &frame[FRAME_HEAD_BYTES..];
            let plaintext = outside(incoming.key(), job.spec(), body, false);
            assert_eq!(plaintext.as_deref(), Some(chunk));
            assert!(incoming.receive(frame).is_ok());
        }
        let replay = incoming.open_job(&frames[0][..FRAME_HEAD_BYTES]);
        assert_eq!(replay, Err(FileError::Unopenable), "an accepted counter");
        let last = frames.last().expect("an end frame");
        let job = incoming.open_job(last).expect("the end's counter");
        let mut tampered = last[FRAME_HEAD_BYTES..].to_vec();
        tampered[0] ^= 1;
        assert_eq!(outside(incoming.key(), job.spec(), &tampered, false), None);
        assert_eq!(incoming.receive(last), Ok(Received::Complete));
    }

    #[test]
    fn a_flipped_byte_is_unopenable_and_the_rest_still_arrives() {
        let keys = keys("correct horse battery staple");
        let data = file(2 * CHUNK_BYTES as usize);
        let (offer, mut frames) = send(&keys, &data);
        let mut incoming =
            Incoming::accept(&keys, BOB, offer, 0.0).expect("as the test sets it up");
        let mut tampered = frames[0].clone();
        tampered[20] ^= 1;
        assert_eq!(incoming.receive(&tampered), Err(FileError::Unopenable));
        // The genuine frame still opens: a forgery does not end the transfer.
        assert_eq!(receive_all(&mut incoming, &frames), Ok(data));
        // Replaying a frame after the end fails too.
        frames.truncate(1);
        assert_eq!(incoming.receive(&frames[0]), Err(FileError::Unopenable));
    }

    #[test]
    fn another_passphrase_or_a_reordered_stream_opens_nothing() {
        let data = file(2 * CHUNK_BYTES as usize);
        let (offer, frames) = send(&keys("correct horse battery staple"), &data);
        let mut stranger = Incoming::accept(&keys("another one"), BOB, offer.clone(), 0.0)
            .expect("as the test sets it up");
        assert_eq!(stranger.receive(&frames[0]), Err(FileError::Unopenable));
        let mut incoming = Incoming::accept(&keys("correct horse battery staple"), BOB, offer, 0.0)
            .expect("as the test sets it up");
        assert!(incoming.receive(&frames[1]).is_ok());
        assert_eq!(incoming.receive(&frames[0]), Err(FileError::Unopenable));
    }

    #[test]
    fn an_end_before_all_bytes_or_a_lying_offer_offers_nothing() {
        let keys = keys("correct horse battery staple");
        let data = file(2 * CHUNK_BYTES as usize);
        let (offer, frames) = send(&keys, &data);
        // The sender claimed fewer bytes than it sends: the overflow ends the transfer.
        let small = FileOffer {
            size: CHUNK_BYTES,
            ..offer.clone()
        };
        let mut incoming =
            Incoming::accept(&keys, BOB, small, 0.0).expect("as the test sets it up");
        assert!(incoming.receive(&frames[0]).is_ok());
        assert_eq!(incoming.receive(&frames[1]), Err(FileError::Overflow));
        // It claimed more: the end arrives early.
        let large = FileOffer {
            size: 3 * CHUNK_BYTES,
            ..offer
        };
        let mut incoming =
            Incoming::accept(&keys, BOB, large, 0.0).expect("as the test sets it up");
        assert_eq!(
            receive_all(&mut incoming, &frames),
            Err(FileError::Truncated)
        );
    }

    #[test]
    fn a_wrong_hash_is_a_mismatch() {
        let keys = keys("correct horse battery staple");
        let data = file(100);
        let mut outgoing = Outgoing::new(&keys, 7, "a", 100, 0.0).expect("as the test sets it up");
        let chunk = outgoing.seal_chunk(&data).expect("as the test sets it up");
        // The end frame hashes something else (a sender whose file changed while it was read).
        outgoing.hasher = Sha256::new();
        outgoing.hasher.update(b"not the file");
        let end = outgoing.seal_end().expect("as the test sets it up");
        let offer = outgoing.offer().clone();
        let mut incoming =
            Incoming::accept(&keys, BOB, offer, 0.0).expect("as the test sets it up");
        assert_eq!(incoming.receive(&chunk), Ok(Received::Chunk(data)));
        assert_eq!(incoming.receive(&end), Err(FileError::HashMismatch));
    }

    #[test]
    fn limits_are_refused_before_anything_is_sealed() {
        let keys = keys("correct horse battery staple");
        assert!(matches!(
            Outgoing::new(&keys, 1, "big.iso", MAX_FILE_BYTES + 1, 0.0),
            Err(FileError::TooLarge)
        ));
        assert!(matches!(
            Outgoing::new(&keys, 1, "empty", 0, 0.0),
            Err(FileError::Empty)
        ));
        assert!(Outgoing::new(&keys, 1, "exactly", MAX_FILE_BYTES, 0.0).is_ok());
        let offer = FileOffer {
            transfer: 1,
            name: "x".into(),
            size: MAX_FILE_BYTES + 1,
            stream: [0; 16],
        };
        assert!(matches!(
            Incoming::accept(&keys, BOB, offer, 0.0),
            Err(FileError::TooLarge)
        ));
        let mut outgoing = Outgoing::new(&keys, 1, "x", 10, 0.0).expect("as the test sets it up");
        assert_eq!(outgoing.seal_chunk(&[0; 9]), Err(FileError::Truncated));
        assert_eq!(outgoing.seal_end(), Err(FileError::Truncated));
        assert_eq!(transfer_of(&[1, 2, 3]), None);
    }

    #[test]
    fn a_block_is_whole_chunks_and_ends_with_the_file() {
        let keys = keys("correct horse battery staple");
        let size = 5 * CHUNK_BYTES + 10;
        let mut outgoing = Outgoing::new(&keys, 1, "x", size, 0.0).expect("a valid size");
        assert_eq!(outgoing.next_block(4), Some((0, 4 * CHUNK_BYTES)));
        assert_eq!(outgoing.next_block(0), Some((0, CHUNK_BYTES)));
        for _ in 0..4 {
            let (start, end) = outgoing.next_range().expect("more to send");
            let chunk = vec![0; usize::try_from(end - start).expect("a chunk fits")];
            outgoing.seal_chunk(&chunk).expect("the expected length");
        }
        assert_eq!(outgoing.next_block(4), Some((4 * CHUNK_BYTES, size)));
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\ada\\notes.txt"), "notes.txt");
        assert_eq!(clean_name("evil\u{202e}fdp.exe\n"), "evilfdp.exe");
        assert_eq!(clean_name(".hidden"), "hidden");
        assert_eq!(clean_name("  "), "file");
        assert_eq!(
            clean_name(&"x".repeat(500)).chars().count(),
            MAX_FILE_NAME_CHARS
        );
    }
}
