//! Driving the app like a person would: fill labelled fields, press buttons by their accessible
//! name, read what is shown, and read the WebRTC statistics of the page's peer connections.

use crate::browser::{Tab, wait_until};
use anyhow::{Context, Result, ensure};
use chromiumoxide::Page;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Installed before the app loads: remembers every RTCPeerConnection and every camera and
/// microphone track the page creates (including clones of them), so the tests can read statistics and check that tracks end.
/// It only observes; the app runs unchanged.
const OBSERVER: &str = r#"
(() => {
  // Every Content-Security-Policy violation, as `directive blocked-uri`.
  window.__stubeCspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__stubeCspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
  const Native = window.RTCPeerConnection;
  window.__stubePeerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__stubePeerConnections.push(this); }
  };
  // The app reads a fresh certificate's fingerprint from a throwaway connection whose one
  // channel is labelled "fingerprint" and which it closes once its offer is made: marked, so
  // that counting the page's connections can leave it out while it still exists.
  const createDataChannel = Native.prototype.createDataChannel;
  Native.prototype.createDataChannel = function (label, ...rest) {
    if (label === 'fingerprint') this.__stubeProbe = true;
    return createDataChannel.call(this, label, ...rest);
  };
  // Every offer or answer the page sets: a renegotiation shows as a new one.
  window.__stubeLocalDescriptions = 0;
  const setLocalDescription = Native.prototype.setLocalDescription;
  Native.prototype.setLocalDescription = function (...args) {
    window.__stubeLocalDescriptions += 1;
    return setLocalDescription.apply(this, args);
  };
  window.__stubeLocalTracks = [];
  // Everything the page sends on a data channel, as text (bytes as Latin-1), to check that no
  // chat text leaves the page unsealed.
  window.__stubeChannelPayloads = [];
  const channelSend = RTCDataChannel.prototype.send;
  // A test sets `window.__stubeFlipNext` to a number n to have the next n binary frames sent
  // with one byte flipped (tampered payloads, as if forged inside the connection); with
  // `window.__stubeFlipLabel` set, only frames on the channels of that label count.
  window.__stubeFlipNext = 0;
  window.__stubeFlipLabel = null;
  RTCDataChannel.prototype.send = function (data) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    window.__stubeChannelPayloads.push(bytes ? new TextDecoder('latin1').decode(bytes) : String(data));
    const flips = window.__stubeFlipLabel === null || window.__stubeFlipLabel === this.label;
    if (bytes && flips && window.__stubeFlipNext > 0) {
      window.__stubeFlipNext -= 1;
      const forged = bytes.slice();
      forged[forged.length >> 1] ^= 1;
      return channelSend.call(this, forged);
    }
    return channelSend.call(this, data);
  };
  // Every Blob the page offers under an object URL (a received file's "Save" link), so a test can
  // read it without fetching (the page's CSP allows no blob: fetches).
  window.__stubeBlobs = new Map();
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = (object) => {
    const url = createObjectURL(object);
    window.__stubeBlobs.set(url, object);
    return url;
  };
  // What the page reported as errors (a panic of the app, say), for a failing test to show.
  window.__stubeErrors = [];
  const consoleError = console.error.bind(console);
  console.error = (...parts) => { window.__stubeErrors.push(parts.map(String).join(' ')); consoleError(...parts); };
  const devices = navigator.mediaDevices;
  const getUserMedia = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    window.__stubeLocalTracks.push(...stream.getTracks());
    return stream;
  };
  // A clone of a capture track keeps the device on just as the original does: track clones too.
  const isLocal = track => window.__stubeLocalTracks.includes(track);
  const cloneTrack = MediaStreamTrack.prototype.clone;
  MediaStreamTrack.prototype.clone = function () {
    const copy = cloneTrack.call(this);
    if (isLocal(this)) window.__stubeLocalTracks.push(copy);
    return copy;
  };
  const cloneStream = MediaStream.prototype.clone;
  MediaStream.prototype.clone = function () {
    const originals = this.getTracks();
    const copy = cloneStream.call(this);
    copy.getTracks().forEach((track, i) => { if (isLocal(originals[i])) window.__stubeLocalTracks.push(track); });
    return copy;
  };
})();
"#;

/// Opens the invite link `<origin>/#<room>` in a new tab of `browser`.
/// The Content-Security-Policy violations `page` reported since it opened (`directive uri`).
pub async fn csp_violations(page: &impl Tab) -> Result<Vec<String>> {
    let value = page.value_of("window.__stubeCspViolations || []").await?;
    Ok(serde_json::from_value(value)?)
}

pub async fn open_meeting(browser: &crate::Browser, origin: &str, room: &str) -> Result<Page> {
    let page = browser.blank_page().await?;
    page.evaluate_on_new_document(OBSERVER)
        .await
        .context("could not install the observer")?;
    page.goto(format!("{origin}/#{room}")).await?;
    wait_for_prejoin(&page).await?;
    Ok(page)
}

/// Waits until `page`, which is loading an invite link, shows the pre-join form.
pub(crate) async fn wait_for_prejoin(page: &impl Tab) -> Result<()> {
    wait_until(
        page,
        "the pre-join form is shown",
        "document.querySelector('form.prejoin') !== null",
        Duration::from_secs(20),
    )
    .await
}

/// Fills the pre-join form and joins, turning on the devices asked for.
pub async fn join(
    page: &impl Tab,
    name: &str,
    passphrase: &str,
    camera: bool,
    microphone: bool,
) -> Result<()> {
    fill(page, "Your name", name).await?;
    fill(page, "Passphrase", passphrase).await?;
    set_device(page, "Camera", camera).await?;
    set_device(page, "Microphone", microphone).await?;
    click(page, "Join").await
}

/// Opens the meeting `room` at `origin` once per name in `names`, joins each with `passphrase`
/// and devices off, and waits until every page shows all the others connected (within
/// `timeout`). The pages come back in the order of `names`.
pub async fn meet(
    browser: &crate::Browser,
    origin: &str,
    room: &str,
    passphrase: &str,
    names: &[&str],
    timeout: Duration,
) -> Result<Vec<Page>> {
    let mut pages = Vec::new();
    for name in names {
        let page = open_meeting(browser, origin, room).await?;
        join(&page, name, passphrase, false, false).await?;
        pages.push(page);
    }
    for page in &pages {
        wait_until(
            page,
            "everyone is connected",
            &connected_tiles(names.len() - 1),
            timeout,
        )
        .await?;
    }
    Ok(pages)
}

/// How long a device may take to start: on this 2-core machine, with six browsers already in a
/// call, a fake camera has taken over 10 s.
const DEVICE_TIMEOUT: Duration = Duration::from_secs(30);

/// Turns the pre-join toggle button `device` on or off (the page may have turned it on itself,
/// remembering this browser's last choice) and waits until it shows that state.
pub async fn set_device(page: &impl Tab, device: &str, on: bool) -> Result<()> {
    let button = button(device);
    let idle = format!("{button} !== undefined && !{button}.disabled");
    wait_until(
        page,
        &format!("{device} is not busy"),
        &idle,
        DEVICE_TIMEOUT,
    )
    .await?;
    let state = format!("{button}.getAttribute('aria-pressed') === '{on}'");
    if !page.read::<bool>(&state).await? {
        click(page, device).await?;
    }
    let wanted = if on { "on" } else { "off" };
    wait_until(
        page,
        &format!("{device} is {wanted}"),
        &state,
        DEVICE_TIMEOUT,
    )
    .await
}

/// Types `value` into the input whose label starts with `label`.
pub async fn fill(page: &impl Tab, label: &str, value: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const label = [...document.querySelectorAll('label')].find(l => l.textContent.trim().startsWith({label}));
            const input = label && label.querySelector('input');
            if (!input) return false;
            input.value = {value}; input.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
        label = json!(label),
        value = json!(value)
    );
    let filled: bool = page.read(&script).await?;
    anyhow::ensure!(filled, "no input labelled {label:?}");
    Ok(())
}

/// Chooses the option shown as `option` in the list whose label starts with `label`, as a person
/// picking it would (a `change` event); returns the option's value.
pub async fn choose(page: &impl Tab, label: &str, option: &str) -> Result<String> {
    let script = format!(
        "(() => {{ const label = [...document.querySelectorAll('label')].find(l => l.textContent.trim().startsWith({label}));
            const select = label && label.querySelector('select');
            const choice = select && [...select.options].find(o => o.textContent.trim() === {option});
            if (!choice) return null;
            select.value = choice.value; select.dispatchEvent(new Event('change', {{ bubbles: true }}));
            return choice.value; }})()",
        label = json!(label),
        option = json!(option)
    );
    let chosen: Option<String> = page.read(&script).await?;
    chosen.with_context(|| format!("no option {option:?} in a list labelled {label:?}"))
}

/// Clicks the button whose accessible name (aria-label, else its text) is `name`.
pub async fn click(page: &impl Tab, name: &str) -> Result<()> {
    let script = format!(
        "(() => {{ const b = {}; if (!b) return false; b.click(); return true; }})()",
        button(name)
    );
    let clicked: bool = page.read(&script).await?;
    anyhow::ensure!(clicked, "no button named {name:?}");
    Ok(())
}

/// A JavaScript expression for the button whose accessible name (aria-label, else its text) is
/// `name` (`undefined` if there is none).
pub fn button(name: &str) -> String {
    format!(
        "[...document.querySelectorAll('button')].find(b => (b.getAttribute('aria-label') || b.textContent).trim() === {})",
        json!(name)
    )
}

/// Waits until the page's visible text contains `text`.
pub async fn wait_for_text(page: &impl Tab, text: &str, timeout: Duration) -> Result<()> {
    let condition = format!("document.body.innerText.includes({})", json!(text));
    wait_until(
        page,
        &format!("the page shows {text:?}"),
        &condition,
        timeout,
    )
    .await
}

/// What one peer connection of a page has received so far.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Deserialize)]
pub struct Inbound {
    pub connected: bool,
    pub video_frames: u64,
    pub video_bytes: u64,
    pub audio_bytes: u64,
}

/// The inbound-rtp totals of every peer connection of `page` that is not closed, in creation order.
pub async fn inbound_media(page: &Page) -> Result<Vec<Inbound>> {
    const SCRIPT: &str = r#"(async () => {
        const result = [];
        for (const pc of window.__stubePeerConnections) {
            if (pc.connectionState === 'closed') continue;
            const entry = { connected: pc.connectionState === 'connected', video_frames: 0, video_bytes: 0, audio_bytes: 0 };
            (await pc.getStats()).forEach(report => {
                if (report.type !== 'inbound-rtp') return;
                if (report.kind === 'video') {
                    entry.video_frames += report.framesDecoded || 0;
                    entry.video_bytes += report.bytesReceived || 0;
                } else {
                    entry.audio_bytes += report.bytesReceived || 0;
                }
            });
            result.push(entry);
        }
        return result;
    })()"#;
    Ok(page.evaluate(SCRIPT).await?.into_value()?)
}

/// A condition for [`wait_until`]: the page has `count` live peer connections and decodes video
/// (and receives audio) on every one of them.
pub fn decoding_from(count: usize) -> String {
    format!(
        r#"(async () => {{
        const live = window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected');
        if (live.length !== {count}) return false;
        for (const pc of live) {{
            let frames = 0, audio = 0;
            (await pc.getStats()).forEach(r => {{
                if (r.type !== 'inbound-rtp') return;
                if (r.kind === 'video') frames += r.framesDecoded || 0; else audio += r.bytesReceived || 0;
            }});
            if (frames === 0 || audio === 0) return false;
        }}
        return true;
    }})()"#
    )
}

/// Per connection, the sum of decoded video frames, received video bytes and received audio
/// bytes, as a JavaScript function of a peer connection.
const MEDIA_TOTALS: &str = r#"async pc => {
    const totals = [0, 0, 0];
    (await pc.getStats()).forEach(r => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'video') { totals[0] += r.framesDecoded || 0; totals[1] += r.bytesReceived || 0; }
        else totals[2] += r.bytesReceived || 0;
    });
    return totals;
}"#;

/// Waits until every one of the page's `count` connected peer connections has decoded more
/// video frames and received more video and audio bytes than when this was called: media keeps
/// flowing (polled, no fixed window).
pub async fn wait_until_media_flows(
    page: &Page,
    who: &str,
    count: usize,
    timeout: Duration,
) -> Result<()> {
    let snapshot = format!(
        r#"(async () => {{
        const totals = {MEDIA_TOTALS};
        window.__stubeMediaBefore = new Map();
        for (const pc of window.__stubePeerConnections) window.__stubeMediaBefore.set(pc, await totals(pc));
        return true;
    }})()"#
    );
    page.evaluate(snapshot).await?;
    let condition = format!(
        r#"(async () => {{
        const totals = {MEDIA_TOTALS};
        const live = window.__stubePeerConnections.filter(pc => pc.connectionState === 'connected');
        if (live.length !== {count}) return false;
        for (const pc of live) {{
            const before = window.__stubeMediaBefore.get(pc) ?? [Infinity, Infinity, Infinity];
            const now = await totals(pc);
            if (!now.every((value, i) => value > before[i])) return false;
        }}
        return true;
    }})()"#
    );
    let what = format!("{who} keeps receiving video and audio from {count} peers");
    wait_until(page, &what, &condition, timeout).await
}

/// Remembers the page's open peer connections (not the short-lived probes that read a
/// certificate's fingerprint, which the observer marks), for [`remembered_connections`].
pub async fn remember_connections(page: &Page) -> Result<()> {
    page.evaluate("window.__stubeRemembered = window.__stubePeerConnections.filter(pc => pc.connectionState !== 'closed' && !pc.__stubeProbe); true")
        .await?;
    Ok(())
}

/// The connections [`remember_connections`] saw: how many there were, how many of them are still
/// open, and how many connections (probes left out) are open now in all.
pub async fn remembered_connections(page: &Page) -> Result<(usize, usize, usize)> {
    const SCRIPT: &str = "(() => { const open = pc => pc.connectionState !== 'closed' && !pc.__stubeProbe; \
        return [window.__stubeRemembered.length, window.__stubeRemembered.filter(open).length, \
        window.__stubePeerConnections.filter(open).length]; })()";
    Ok(page.evaluate(SCRIPT).await?.into_value()?)
}

/// A condition for [`wait_until`]: `count` remote tiles show a connected participant.
pub fn connected_tiles(count: usize) -> String {
    format!(
        "document.querySelectorAll('.tile.remote[data-status=\"connected\"]').length === {count}"
    )
}

/// The remote tile of the participant named `name`, as a JavaScript expression (`undefined` if
/// there is none).
pub fn remote_tile(name: &str) -> String {
    format!(
        "[...document.querySelectorAll('.tile.remote')].find(t => t.querySelector('.name')?.textContent === {})",
        json!(name)
    )
}

/// A condition for [`wait_until`]: the tile `tile` (a JavaScript expression) shows the
/// crossed-out microphone named `label` ("Microphone off").
pub fn shows_muted(tile: &str, label: &str) -> String {
    format!(
        "(() => {{ const t = {tile}; return !!t && !!t.querySelector('[role=img][aria-label={}]'); }})()",
        json!(label)
    )
}

/// What the toasts on `page` cover of the controls and the side panel, and with `captions` also
/// of the tiles' captions (names, badges, safety numbers): "the toast … covers …", empty when
/// they cover nothing a person may want to reach or read. (In a small window the tiles are
/// mostly caption, and no place over them is free.)
pub async fn covering_toasts(page: &impl Tab, captions: bool) -> Result<Vec<String>> {
    let under = if captions {
        ".controls button, .controls select, .participants, .tile figcaption"
    } else {
        ".controls button, .controls select, .participants"
    };
    let script = format!(
        r#"(() => {{
        const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
            && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        const reachable = [...document.querySelectorAll({under})];
        return [...document.querySelectorAll('.toast')].flatMap(toast => reachable
            .filter(under => overlap(toast.getBoundingClientRect(), under.getBoundingClientRect()))
            .map(under => `the toast "${{toast.textContent}}" covers "${{under.textContent.trim().slice(0, 30)}}"`));
    }})()"#,
        under = json!(under)
    );
    page.read(&script).await
}

/// Each remote tile's participant name and the safety number it shows (empty if none).
pub async fn safety_numbers(page: &impl Tab) -> Result<BTreeMap<String, String>> {
    const SCRIPT: &str = "Object.fromEntries([...document.querySelectorAll('.tile.remote')].map(tile => \
        [tile.querySelector('.name').textContent, tile.querySelector('[data-testid=safety-number]')?.textContent ?? '']))";
    page.read(SCRIPT).await
}

/// Checks what [`safety_numbers`] read from every participant's page (`who` → peer → number):
/// every participant shows a number (three groups of five digits) for every other, both ends of
/// each connection show the same one, and different pairs have different numbers.
pub fn check_safety_numbers(shown: &BTreeMap<String, BTreeMap<String, String>>) -> Result<()> {
    let people = shown.len();
    ensure!(
        people >= 2,
        "safety numbers need two participants: {shown:?}"
    );
    let mut numbers = BTreeMap::new();
    for (me, theirs) in shown {
        for (peer, number) in theirs {
            ensure!(is_safety_number(number), "{me} shows {number:?} for {peer}");
            numbers.insert((me.as_str(), peer.as_str()), number);
        }
    }
    ensure!(
        numbers.len() == people * (people - 1),
        "not every tile shows a safety number: {numbers:?}"
    );
    for ((me, peer), number) in &numbers {
        ensure!(
            numbers.get(&(*peer, *me)) == Some(number),
            "{me} and {peer} see different numbers: {numbers:?}"
        );
    }
    let distinct: BTreeSet<&&String> = numbers.values().collect();
    ensure!(
        distinct.len() == numbers.len() / 2,
        "each pair has its own safety number: {numbers:?}"
    );
    Ok(())
}

/// Three groups of five digits.
fn is_safety_number(text: &str) -> bool {
    let groups: Vec<&str> = text.split(' ').collect();
    groups.len() == 3
        && groups
            .iter()
            .all(|group| group.len() == 5 && group.bytes().all(|b| b.is_ascii_digit()))
}
