//! What a person in the meeting perceives, read from the page's media elements rather than from
//! WebRTC statistics: does a tile play moving, non-black video, is its sound audible, is the
//! self-view muted. Statistics can grow while every tile is black; these checks cannot.
//!
//! A monitor installed in the page watches every remote tile's `<video>`: it counts the frames the
//! element presents (`requestVideoFrameCallback`) and listens to the audio the element plays
//! (an `AnalyserNode` on its stream), remembering when it last saw a frame and heard a sound. The
//! conditions below are polled with [`wait_until`], so no test sleeps to synchronise. The monitor
//! uses only what Chromium and Firefox both offer, so the same checks judge either's page.

use crate::browser::{Tab, wait_until};
use anyhow::Result;
use serde_json::json;
use std::time::Duration;

/// Installs the monitor (idempotent) and returns the expression's value.
fn with_monitor(expression: &str) -> String {
    format!("(() => {{ {MONITOR} return {expression}; }})()")
}

/// Defines `window.__stubeWatch(video)`, which starts watching an element once, and
/// `window.__stubeTiles()`, which watches every remote tile and reports what it shows and plays.
/// An amplitude above `0.01` counts as sound (Chromium's fake microphone beeps); a frame counts as
/// dark when fewer than a tenth of its sampled pixels have a channel above 40 of 255.
const MONITOR: &str = r#"
if (!window.__stubeTiles) {
  window.__stubeWatch = (video) => {
    if (video.__stube) return video.__stube;
    const seen = { frames: 0, lastFrameAt: 0, lastSoundAt: 0, audioTrack: null, analyser: null };
    video.__stube = seen;
    const onFrame = () => { seen.frames++; seen.lastFrameAt = performance.now(); video.requestVideoFrameCallback(onFrame); };
    video.requestVideoFrameCallback(onFrame);
    const samples = new Float32Array(4096);
    setInterval(() => {
      const track = video.srcObject && video.srcObject.getAudioTracks().find(t => t.readyState === 'live');
      if (!track) return;
      if (track !== seen.audioTrack) {
        window.__stubeAudioContext = window.__stubeAudioContext || new AudioContext();
        const source = window.__stubeAudioContext.createMediaStreamSource(new MediaStream([track]));
        seen.analyser = window.__stubeAudioContext.createAnalyser();
        seen.analyser.fftSize = samples.length;
        source.connect(seen.analyser);
        seen.audioTrack = track;
      }
      seen.analyser.getFloatTimeDomainData(samples);
      if (samples.some(s => Math.abs(s) > 0.01)) seen.lastSoundAt = performance.now();
    }, 25);
    return seen;
  };
  window.__stubeLit = (video) => {
    if (video.videoWidth === 0) return 0;
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 48;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.max(pixels[i], pixels[i + 1], pixels[i + 2]) > 40) lit++;
    }
    return lit / (pixels.length / 4);
  };
  window.__stubeTiles = () => [...document.querySelectorAll('.tile.remote')].map(tile => {
    const video = tile.querySelector('video');
    const seen = window.__stubeWatch(video);
    const stream = video.srcObject;
    const live = kind => !!stream && stream.getTracks().some(t => t.kind === kind && t.readyState === 'live');
    const now = performance.now();
    return {
      name: tile.querySelector('.name')?.textContent ?? '',
      live_video: live('video'),
      live_audio: live('audio'),
      paused: video.paused,
      ready_state: video.readyState,
      video_width: video.videoWidth,
      muted: video.muted,
      current_time: video.currentTime,
      frames: seen.frames,
      millis_since_frame: seen.lastFrameAt ? now - seen.lastFrameAt : 1e9,
      millis_since_sound: seen.lastSoundAt ? now - seen.lastSoundAt : 1e9,
      lit: window.__stubeLit(video),
    };
  });
}
"#;

/// What one remote tile shows and plays right now.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct TileMedia {
    name: String,
    /// Its `<video>` holds a live video track and a live audio track.
    live_video: bool,
    live_audio: bool,
    paused: bool,
    ready_state: u32,
    video_width: u32,
    muted: bool,
    current_time: f64,
    /// Frames the element has presented since the monitor started watching it.
    frames: u64,
    millis_since_frame: f64,
    millis_since_sound: f64,
    /// The share of sampled pixels that are not black.
    lit: f64,
}

impl TileMedia {
    /// Video that plays and is not black, sound not muted: what a person needs to see and hear.
    fn problem(&self) -> Option<&'static str> {
        if !self.live_video || !self.live_audio {
            Some("its element lacks a live video or audio track")
        } else if self.paused || self.ready_state < 2 || self.video_width == 0 {
            Some("its element does not play")
        } else if self.muted {
            Some("its element is muted")
        } else if self.millis_since_frame > 500.0 {
            Some("no frame was presented in the last 500 ms")
        } else if self.millis_since_sound > 2_000.0 {
            Some("no sound in the last 2 s")
        } else if self.lit < 0.1 {
            Some("its picture is black")
        } else {
            None
        }
    }
}

/// Every remote tile of `page`, as its media elements show it.
async fn remote_tiles(page: &impl Tab) -> Result<Vec<TileMedia>> {
    in_front(page).await?;
    page.read(&with_monitor("window.__stubeTiles()")).await
}

/// Waits until `page` shows exactly `count` remote tiles and each plays moving, lit video with
/// sound, then until every tile's playback time and presented frames have advanced.
pub async fn wait_until_tiles_play(page: &impl Tab, who: &str, count: usize) -> Result<()> {
    in_front(page).await?;
    let timeout = Duration::from_secs(30);
    let condition = with_monitor(&format!(
        "(() => {{ const tiles = window.__stubeTiles(); return tiles.length === {count} && tiles.every(t => \
         t.live_video && t.live_audio && !t.paused && t.ready_state >= 2 && t.video_width > 0 && !t.muted \
         && t.millis_since_frame <= 500 && t.millis_since_sound <= 2000 && t.lit >= 0.1) || tiles; }})()"
    ));
    wait_until(
        page,
        &format!("{who} sees and hears {count} others"),
        &condition,
        timeout,
    )
    .await?;
    let before = remote_tiles(page).await?;
    for tile in &before {
        anyhow::ensure!(
            tile.problem().is_none(),
            "{who}: {}'s tile: {:?} ({tile:?})",
            tile.name,
            tile.problem()
        );
    }
    let advanced = with_monitor(&format!(
        "(() => {{ const before = {}; const now = window.__stubeTiles(); return now.length === before.length && \
         now.every((t, i) => t.current_time > before[i].current_time && t.frames > before[i].frames + 5) || now; }})()",
        json!(
            before
                .iter()
                .map(|t| json!({"current_time": t.current_time, "frames": t.frames}))
                .collect::<Vec<_>>()
        )
    ));
    wait_until(
        page,
        &format!("{who}'s tiles keep moving"),
        &advanced,
        Duration::from_secs(5),
    )
    .await
}

/// Waits until the remote tile named `name` on `page` has played no sound for a whole second.
pub async fn wait_until_silent(page: &impl Tab, name: &str) -> Result<()> {
    wait_for_tile(page, name, "t.millis_since_sound > 1000", "falls silent").await
}

/// Waits until the remote tile named `name` on `page` plays sound again.
pub async fn wait_until_audible(page: &impl Tab, name: &str) -> Result<()> {
    wait_for_tile(page, name, "t.millis_since_sound < 300", "is heard").await
}

/// Waits until the remote tile named `name` on `page` has presented no frame for a whole second.
pub async fn wait_until_still(page: &impl Tab, name: &str) -> Result<()> {
    wait_for_tile(page, name, "t.millis_since_frame > 1000", "stops moving").await
}

/// Waits until the remote tile named `name` on `page` presents frames again.
pub async fn wait_until_moving(page: &impl Tab, name: &str) -> Result<()> {
    wait_for_tile(page, name, "t.millis_since_frame < 200", "moves").await
}

async fn wait_for_tile(page: &impl Tab, name: &str, predicate: &str, what: &str) -> Result<()> {
    in_front(page).await?;
    let condition = with_monitor(&format!(
        "(() => {{ const t = window.__stubeTiles().find(t => t.name === {}); return !!t && ({predicate}) || t; }})()",
        json!(name)
    ));
    wait_until(
        page,
        &format!("{name}'s tile {what}"),
        &condition,
        Duration::from_secs(10),
    )
    .await
}

/// Makes `page` the tab in front, as the one a person looks at: a tab behind others presents no
/// video frames to watchers and has its timers throttled, so its tiles could not be judged.
async fn in_front(page: &impl Tab) -> Result<()> {
    page.to_front().await
}

/// Whether the self-view `<video>` on `page` (the pre-join preview or the meeting's own tile)
/// exists and has its `muted` property set.
pub async fn self_view_is_muted(page: &impl Tab) -> Result<bool> {
    const SCRIPT: &str = "(() => { const v = document.querySelector('video.preview, .tile.local video'); \
        return !!v && v.muted === true; })()";
    page.read(SCRIPT).await
}

/// The camera and microphone tracks of `page` (from `getUserMedia`, and every clone of them) that
/// are still live.
pub async fn live_capture_tracks(page: &impl Tab) -> Result<Vec<String>> {
    const SCRIPT: &str = "window.__stubeLocalTracks.filter(t => t.readyState === 'live').map(t => t.kind + ': ' + t.label)";
    page.read(SCRIPT).await
}
