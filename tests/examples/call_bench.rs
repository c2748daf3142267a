//! Call benchmarks, run by `cargo xtask bench` inside a private network namespace with the same
//! environment as the end-to-end tests (`STUBE_SERVER_BIN`, `STUBE_DIST`, `STUBE_CHROMIUM`,
//! `STUBE_NFT`). An argument `load`, `setup`, `steady`, `files` or `stalls` runs that section alone
//! (`setup 2 3`: only those meeting sizes).
//!
//! Every participant has their own headless Chromium (one tab, fresh profile, fake camera and
//! microphone), all on this machine, through one release server.
//!
//! 1. Call setup time for 2, 3, 4 and 6 participants. The first N-1 join with the harness and wait
//!    until they decode each other's video. t0 is taken just before the last participant's page is
//!    navigated to the invite link; a script in that page fills the form, turns camera and
//!    microphone on and presses Join as soon as the page allows it (no automation round trips).
//!    t1 is the first moment every page has N-1 connected peer connections, each with inbound
//!    video `framesDecoded > 0` (each page polls `getStats` every 10 ms once it has N-1).
//!    The same for 2 and 3 participants with Join pressed 600 ms after the passphrase was typed,
//!    as a person would: the pre-join page derives the keys in that pause. For each, the newcomer
//!    page's longest main-thread task (Long Tasks API) from typing the passphrase to t1.
//! 2. Steady calls of 2, 4 and 6: utime + stime of each Chromium's whole process tree over a
//!    10 s window, as % of one core, and each received video stream's frame rate (frames
//!    decoded over the window) and resolution; and the profile: CPU by thread name over every
//!    browser (`/proc/<pid>/task/*/stat`).
//! 0. First load: the bytes a fresh profile transfers opening an invite link (Resource Timing).
//! 4. File transfer: 200 MiB from one Chromium to another through the app, against a raw data
//!    channel of their own between the same two browsers with the same pacing, in alternating
//!    rounds; the resident memory of each Chromium's process tree, sampled every 250 ms, before
//!    and at its peak during the app's transfer.
//! 3. Media stalls in a two-person call: each page samples its decoded video frames every 10 ms
//!    and keeps the longest time without a new frame. Once across a restart of the server (killed,
//!    started again on the same port, both pages back), once across a 10 s cut of all UDP (an
//!    nftables table in the namespace), which the app repairs by an ICE restart; for the cut also
//!    the time from its end to the first new frame.

use anyhow::{Context, Result};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tests::{Blackout, Browser, Devices, Page, Server, join, wait_for_text, wait_until};

const SIZES: [usize; 4] = [2, 3, 4, 6];
/// Setup goals (issue #10) for [`SIZES`], in milliseconds.
const GOALS_MS: [u32; 4] = [600, 800, 1500, 4000];
/// How long after typing the passphrase a person presses Join, in the setup runs that model one.
const THINK_MS: u32 = 600;
/// Meeting sizes of the steady-call section.
const STEADY_SIZES: [usize; 3] = [2, 4, 6];
const RUNS: usize = 5;
const PASSPHRASE: &str = "correct horse battery staple";
const TIMEOUT: Duration = Duration::from_secs(60);
/// Time for an established call to settle before the next step is measured.
const SETTLE: Duration = Duration::from_secs(2);
const CPU_WINDOW: Duration = Duration::from_secs(10);
/// How long the network is cut in the stall benchmark.
const CUT: Duration = Duration::from_secs(10);

/// Evaluated in a page in a call: from now on, samples the decoded video frames of its open
/// connections every 10 ms into `window.__frames` (`last`: when the count last grew, `maxGap`:
/// the longest time it did not).
const FRAME_WATCH: &str = r#"(() => {
  clearInterval(window.__frames?.timer);
  const watch = window.__frames = { frames: -1, last: Date.now(), maxGap: 0 };
  watch.timer = setInterval(async () => {
    let frames = 0;
    for (const pc of window.__bench.peers) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
      });
    }
    const now = Date.now();
    if (frames > watch.frames) {
      if (watch.frames >= 0) watch.maxGap = Math.max(watch.maxGap, now - watch.last);
      watch.frames = frames;
      watch.last = now;
    }
  }, 10);
  return true;
})()"#;

/// Installed in every page before the app loads. Counts the page's peer connections that decode
/// video, records `Date.now()` marks in `window.__bench`, and with `autoJoin` set joins like a
/// user who presses Join `thinkMs` after typing the passphrase (0: at once). `__WANT__` and `__AUTO_JOIN__` are replaced.
const PROBE: &str = r#"
(() => {
  const want = __WANT__;
  const autoJoin = __AUTO_JOIN__;
  const bench = window.__bench = {};
  const mark = (key) => { if (bench[key] === undefined) bench[key] = Date.now(); };
  const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
  const peers = bench.peers = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      peers.push(this);
      mark('connection');
      this.addEventListener('connectionstatechange', () => this.connectionState === 'connected' && mark('connected'));
    }
  };
  // The steps of the setup, each marked the first time: descriptions set, the signalling socket
  // open and its first message (the server's welcome).
  for (const [method, key] of [['setLocalDescription', 'local'], ['setRemoteDescription', 'remote']]) {
    const native = Native.prototype[method];
    Native.prototype[method] = async function (...args) {
      const result = await native.apply(this, args);
      mark(key);
      return result;
    };
  }
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => mark('socket'));
      this.addEventListener('message', () => mark('welcome'));
    }
  };
  // The page's long tasks (50 ms or more on its main thread), to find how long it froze.
  const tasks = bench.tasks = [];
  new PerformanceObserver(list => tasks.push(...list.getEntries().map(t => [t.startTime, t.duration])))
    .observe({ type: 'longtask', buffered: true });
  bench.longestTaskSince = (since) => Math.max(0, ...tasks
    .filter(([start, duration]) => start + duration > since).map(([, duration]) => duration));
  bench.decodingPeers = async () => {
    let count = 0;
    for (const pc of peers) {
      if (pc.connectionState !== 'connected') continue;
      let frames = 0;
      (await pc.getStats()).forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
      });
      if (frames > 0) count += 1;
    }
    return count;
  };
  // When the first media moves on this page's connections (statistics polled every 10 ms).
  (async () => {
    while (!bench.received) {
      for (const pc of peers) (await pc.getStats()).forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') {
          if (r.packetsReceived > 0) mark('packets');
          if (r.framesReceived > 0) mark('received');
        }
        if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.packetsReceived > 0) mark('audio');
        if (r.type === 'outbound-rtp' && r.kind === 'video') {
          if (r.framesEncoded > 0) mark('encoded');
          if (r.packetsSent > 0) mark('sent');
        }
      });
      await sleep(10);
    }
  })();
  (async () => {
    while (peers.filter(pc => pc.connectionState !== 'closed').length < want) await sleep(10);
    while (await bench.decodingPeers() < want) await sleep(10);
    mark('decoding');
  })();
  if (!autoJoin) return;
  const input = (label) => [...document.querySelectorAll('label')]
    .find(l => l.textContent.trim().startsWith(label))?.querySelector('input');
  const button = (name) => [...document.querySelectorAll('button')]
    .find(b => (b.getAttribute('aria-label') || b.textContent).trim() === name);
  const pressed = (name) => button(name)?.getAttribute('aria-pressed') === 'true';
  const type = (field, value) => {
    field.value = value;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  };
  (async () => {
    while (!(input('Your name') && input('Passphrase') && button('Join'))) await sleep(5);
    mark('form');
    type(input('Your name'), autoJoin.name);
    type(input('Passphrase'), autoJoin.passphrase);
    const typed = Date.now();
    bench.typedAt = performance.now();
    for (const device of ['Camera', 'Microphone']) if (!pressed(device)) button(device).click();
    while (!(pressed('Camera') && pressed('Microphone'))) await sleep(5);
    // A person takes a moment from the last key to the Join button.
    while (Date.now() - typed < autoJoin.thinkMs) await sleep(5);
    button('Join').click();
    mark('joined');
  })();
})();
"#;

fn probe(want: usize, auto_join: Option<(&str, u32)>) -> String {
    let auto_join = auto_join.map(
        |(name, think_ms)| json!({ "name": name, "passphrase": PASSPHRASE, "thinkMs": think_ms }),
    );
    PROBE
        .replace("__WANT__", &want.to_string())
        .replace("__AUTO_JOIN__", &json!(auto_join).to_string())
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64() * 1e3)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// A tab of `browser` with the probe installed, navigated to the meeting.
async fn open(browser: &Browser, url: &str, probe: &str) -> Result<Page> {
    let page = browser.blank_page().await?;
    page.evaluate_on_new_document(probe)
        .await
        .context("could not install the probe")?;
    page.goto(url).await?;
    Ok(page)
}

async fn mark(page: &Page, key: &str) -> Result<f64> {
    Ok(page
        .evaluate(format!("window.__bench.{key}"))
        .await?
        .into_value()?)
}

/// Joins the first participants of a call, `want` being the number of peers each will have, and
/// waits until they decode each other.
async fn join_first(browsers: &[Browser], url: &str, want: usize) -> Result<Vec<Page>> {
    let mut pages = Vec::new();
    for (index, browser) in browsers.iter().enumerate() {
        let page = open(browser, url, &probe(want, None)).await?;
        wait_for_text(&page, "Join", TIMEOUT).await?;
        join(
            &page,
            &format!("Participant {index}"),
            PASSPHRASE,
            true,
            true,
        )
        .await?;
        pages.push(page);
    }
    for page in &pages {
        if browsers.len() == 1 {
            wait_for_text(page, "Waiting for others", TIMEOUT).await?;
        } else {
            let decoding = format!(
                "window.__bench.decodingPeers().then(n => n === {})",
                browsers.len() - 1
            );
            wait_until(
                page,
                "the first participants decode each other",
                &decoding,
                TIMEOUT,
            )
            .await?;
        }
    }
    Ok(pages)
}

async fn launch(count: usize) -> Result<Vec<Browser>> {
    let mut browsers = Vec::new();
    for _ in 0..count {
        browsers.push(Browser::launch(Devices::Allowed).await?);
    }
    Ok(browsers)
}

async fn close(browsers: Vec<Browser>) -> Result<()> {
    for browser in browsers {
        browser.close().await?;
    }
    Ok(())
}

/// The steps of a setup on the newcomer's page, as marked by [`PROBE`], with their names.
const STEPS: [(&str, &str); 12] = [
    ("socket", "socket open"),
    ("welcome", "welcome"),
    ("connection", "first connection"),
    ("remote", "first remote description"),
    ("local", "first local description"),
    ("connected", "first connected"),
    ("audio", "audio arrives"),
    ("encoded", "own video encoded"),
    ("sent", "own video sent"),
    ("packets", "video arrives"),
    ("received", "first video frame complete"),
    ("decoding", "decoding all"),
];

/// One call setup, in milliseconds from t0: (form shown, Join pressed, everyone decoding), and
/// the newcomer's longest page task from typing the passphrase until then; and the newcomer's
/// [`STEPS`] in milliseconds after it pressed Join.
async fn setup_once(
    server: &Server,
    size: usize,
    room: &str,
    think_ms: u32,
) -> Result<([f64; 4], [f64; 12])> {
    let url = format!("{}/#{room}", server.origin());
    let browsers = launch(size).await?;
    let (first, last) = browsers.split_at(size - 1);
    let mut pages = join_first(first, &url, size - 1).await?;
    tokio::time::sleep(SETTLE).await;
    let t0 = now_ms();
    let newcomer = probe(size - 1, Some(("Last participant", think_ms)));
    pages.push(open(&last[0], &url, &newcomer).await?);
    for page in &pages {
        wait_until(
            page,
            "the page decodes video from all others",
            "window.__bench.decoding !== undefined",
            TIMEOUT,
        )
        .await?;
    }
    let mut t1 = t0;
    for page in &pages {
        t1 = t1.max(mark(page, "decoding").await?);
    }
    let newcomer = &pages[size - 1];
    let sample = [
        mark(newcomer, "form").await? - t0,
        mark(newcomer, "joined").await? - t0,
        t1 - t0,
        newcomer
            .evaluate("window.__bench.longestTaskSince(window.__bench.typedAt)")
            .await?
            .into_value()?,
    ];
    let joined = mark(newcomer, "joined").await?;
    let mut steps = [0.0; 12];
    for (step, (key, _)) in steps.iter_mut().zip(STEPS) {
        *step = mark(newcomer, key).await? - joined;
    }
    close(browsers).await?;
    Ok((sample, steps))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The setup runs for the meeting sizes in `only` (all if empty).
async fn call_setup(server: &Server, only: &[usize]) -> Result<()> {
    println!(
        "\nCall setup: t0 = just before the last participant's page is navigated; t1 = every page"
    );
    println!("decodes video from all others. Milliseconds after t0, medians of {RUNS} runs; the");
    println!("load average is read after the runs (it includes the benchmark's own Chromiums).");
    println!("Join is pressed as soon as the page allows (think 0 ms), or {THINK_MS} ms after the");
    println!("passphrase was typed, as a person would (the keys are derived in that pause).");
    println!("Longest task: the newcomer page's longest main-thread task from typing to video.\n");
    println!(
        "{:>12} | {:>8} | {:>10} | {:>12} | {:>22} | {:>9} | {:>11} | {:>12} | load average",
        "participants",
        "think",
        "form shown",
        "Join pressed",
        "setup median (min-max)",
        "from Join",
        "goal",
        "longest task"
    );
    let runs = SIZES
        .into_iter()
        .zip(GOALS_MS)
        .map(|(size, goal)| (size, goal, 0))
        .chain([(2, GOALS_MS[0], THINK_MS), (3, GOALS_MS[1], THINK_MS)])
        .filter(|(size, ..)| only.is_empty() || only.contains(size));
    for (size, goal, think_ms) in runs {
        let (mut samples, mut steps) = (Vec::new(), Vec::new());
        for run in 0..RUNS {
            let room = format!("bench-{size}-people-think-{think_ms}-run-{run}");
            let (sample, step) = setup_once(server, size, &room, think_ms).await?;
            samples.push(sample);
            steps.push(step);
        }
        let column = |index: usize| samples.iter().map(|s| s[index]).collect::<Vec<_>>();
        let from_join = samples.iter().map(|s| s[2] - s[1]).collect::<Vec<_>>();
        let setup = column(2);
        let (low, high) = setup
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        let median_setup = median(setup);
        // The goal is for a person who presses Join at once; with a pause, the pause is theirs.
        let met = match (think_ms, median_setup <= f64::from(goal)) {
            (0, true) => "met",
            (0, false) => "not met",
            _ => "",
        };
        println!(
            "{size:>12} | {think_ms:>8} | {:>10.0} | {:>12.0} | {:>22} | {:>9.0} | {:>4} {met:>6} | {:>12.0} | {}",
            median(column(0)),
            median(column(1)),
            format!("{median_setup:.0} ({low:.0}-{high:.0})"),
            median(from_join),
            goal,
            median(column(3)),
            load_average()
        );
        let after_join: Vec<String> = STEPS
            .iter()
            .enumerate()
            .map(|(index, (_, name))| {
                let step = median(steps.iter().map(|s| s[index]).collect());
                format!("{name} {step:.0}")
            })
            .collect();
        println!(
            "{:>12} | newcomer, ms after Join (medians): {}",
            "",
            after_join.join(", ")
        );
    }
    Ok(())
}

/// One process: its parent, its kind (`--type=` of Chromium, else the command name), its CPU
/// ticks and its resident memory in KiB.
struct Process {
    parent: u32,
    kind: String,
    ticks: u64,
    rss_kib: u64,
}

/// A process's or thread's `stat` line: `pid (comm) state ppid … utime stime …`; the command
/// name may contain spaces and parentheses, so the fields are those after its last `) `.
struct Stat {
    comm: String,
    /// The fields from `state` on: `ppid` is 1, `utime` 11, `stime` 12, `rss` 21.
    fields: Vec<String>,
}

impl Stat {
    fn read(dir: &std::path::Path) -> Option<Self> {
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        let (head, rest) = stat.rsplit_once(") ")?;
        Some(Self {
            comm: head
                .split_once(" (")
                .map_or("", |(_, comm)| comm)
                .to_owned(),
            fields: rest.split_whitespace().map(str::to_owned).collect(),
        })
    }

    fn number(&self, index: usize) -> Option<u64> {
        self.fields.get(index)?.parse().ok()
    }
}

fn processes() -> HashMap<u32, Process> {
    let mut found = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Some(stat) = Stat::read(&entry.path()) else {
            continue;
        };
        let (Some(parent), Some(utime), Some(stime), Some(rss_pages)) = (
            stat.number(1),
            stat.number(11),
            stat.number(12),
            stat.number(21),
        ) else {
            continue;
        };
        found.insert(
            pid,
            Process {
                parent: u32::try_from(parent).unwrap_or(0),
                kind: kind_of(&entry.path(), &stat.comm),
                ticks: utime + stime,
                rss_kib: rss_pages * 4,
            },
        );
    }
    found
}

/// The child of this process that `pid` descends from, if any.
/// A Chromium process's `--type=` (renderer, gpu-process, utility), or the command name.
fn kind_of(proc_dir: &std::path::Path, comm: &str) -> String {
    // Chromium's child processes rewrite their command line with spaces between arguments.
    let cmdline = std::fs::read_to_string(proc_dir.join("cmdline")).unwrap_or_default();
    cmdline
        .split(['\0', ' '])
        .find_map(|arg| arg.strip_prefix("--type="))
        .map_or_else(|| comm.to_owned(), str::to_owned)
}

fn top_child(all: &HashMap<u32, Process>, mut pid: u32) -> Option<u32> {
    let me = std::process::id();
    while let Some(process) = all.get(&pid) {
        if process.parent == me {
            return Some(pid);
        }
        pid = process.parent;
    }
    None
}

fn clock_ticks_per_second() -> Result<f64> {
    let output = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .context("could not run getconf")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim().parse()?)
}

/// Per inbound video stream of a page: (frames decoded, width, height).
const VIDEO_IN: &str = r#"(async () => {
    const streams = [];
    for (const pc of window.__bench.peers.filter(pc => pc.connectionState === 'connected'))
        (await pc.getStats()).forEach(r => {
            if (r.type === 'inbound-rtp' && r.kind === 'video')
                streams.push([r.framesDecoded || 0, r.frameWidth || 0, r.frameHeight || 0]);
        });
    return streams;
})()"#;

async fn video_in(pages: &[Page]) -> Result<Vec<Vec<(f64, f64, f64)>>> {
    let mut all = Vec::new();
    for page in pages {
        all.push(page.evaluate(VIDEO_IN).await?.into_value()?);
    }
    Ok(all)
}

/// CPU ticks over the window per process tree (a Chromium, or the server), and per process kind
/// summed over all trees (processes alive at both ends).
fn ticks_over(
    before: &HashMap<u32, Process>,
    after: &HashMap<u32, Process>,
) -> (HashMap<u32, u64>, BTreeMap<String, u64>) {
    let mut trees = HashMap::new();
    let mut kinds = BTreeMap::new();
    for (pid, process) in after {
        let (Some(top), Some(earlier)) = (top_child(after, *pid), before.get(pid)) else {
            continue;
        };
        let ticks = process.ticks.saturating_sub(earlier.ticks);
        *trees.entry(top).or_default() += ticks;
        *kinds.entry(process.kind.clone()).or_default() += ticks;
    }
    (trees, kinds)
}

/// CPU ticks so far of every thread of the processes this benchmark started, by (pid, thread
/// id): the process kind and the thread's name ("renderer: WebRTC_W_and_N"), and its ticks.
fn threads(all: &HashMap<u32, Process>) -> HashMap<(u32, u32), (String, u64)> {
    let mut found = HashMap::new();
    for (pid, process) in all {
        if top_child(all, *pid).is_none() {
            continue;
        }
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Some(stat) = Stat::read(&task.path()) else {
                continue;
            };
            if let (Some(utime), Some(stime)) = (stat.number(11), stat.number(12)) {
                let label = format!("{}: {}", process.kind, stat.comm);
                found.insert((*pid, tid), (label, utime + stime));
            }
        }
    }
    found
}

/// The threads' CPU ticks over the window, summed by label over every browser, most first.
fn threads_over(
    before: &HashMap<(u32, u32), (String, u64)>,
    after: &HashMap<(u32, u32), (String, u64)>,
) -> Vec<(String, u64)> {
    let mut by_label: BTreeMap<String, u64> = BTreeMap::new();
    for (id, (label, ticks)) in after {
        let earlier = before.get(id).map_or(0, |(_, ticks)| *ticks);
        *by_label.entry(label.clone()).or_default() += ticks.saturating_sub(earlier);
    }
    let mut sorted: Vec<(String, u64)> = by_label.into_iter().collect();
    sorted.sort_by_key(|(_, ticks)| std::cmp::Reverse(*ticks));
    sorted
}

async fn steady_calls(server: &Server) -> Result<()> {
    println!(
        "\nSteady calls: each participant's Chromium (whole process tree), utime + stime over {} s",
        CPU_WINDOW.as_secs()
    );
    println!(
        "as % of one core (the machine has 2 cores: 200 % is all of it), and every received video"
    );
    println!(
        "stream's frame rate over the same window (frames decoded) and resolution at its end.\n"
    );
    println!(
        "{:>12} | {:>21} | {:>16} | {:>15} | {:>15} | {:<20} | load average",
        "participants",
        "CPU per participant",
        "all processes",
        "fps mean",
        "fps min",
        "resolutions (count)"
    );
    let per_second = clock_ticks_per_second()?;
    for size in STEADY_SIZES {
        let url = format!("{}/#bench-steady-{size}-person-call", server.origin());
        let browsers = launch(size).await?;
        let pages = join_first(&browsers, &url, size - 1).await?;
        tokio::time::sleep(SETTLE).await;
        let frames_before = video_in(&pages).await?;
        let before = processes();
        let threads_before = threads(&before);
        let started = now_ms();
        tokio::time::sleep(CPU_WINDOW).await;
        let after = processes();
        let threads_after = threads(&after);
        let frames_after = video_in(&pages).await?;
        let seconds = (now_ms() - started) / 1e3;
        let percent = |ticks: u64| ticks as f64 / per_second / CPU_WINDOW.as_secs_f64() * 100.0;
        let (trees, kinds) = ticks_over(&before, &after);
        let total: f64 = trees.into_values().map(percent).sum();
        let mut rates = Vec::new();
        let mut resolutions: Vec<(String, usize)> = Vec::new();
        for (earlier, later) in frames_before.iter().zip(&frames_after) {
            for (start, end) in earlier.iter().zip(later) {
                rates.push((end.0 - start.0) / seconds);
                let resolution = format!("{}x{}", end.1, end.2);
                match resolutions.iter_mut().find(|(r, _)| *r == resolution) {
                    Some((_, count)) => *count += 1,
                    None => resolutions.push((resolution, 1)),
                }
            }
        }
        let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
        let lowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let resolutions = resolutions
            .iter()
            .map(|(r, n)| format!("{r} ({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "{size:>12} | {:>20.1}% | {total:>15.1}% | {mean:>15.1} | {lowest:>15.1} | {resolutions:<20} | {}",
            total / size as f64,
            load_average()
        );
        let by_kind = kinds
            .iter()
            .map(|(kind, ticks)| format!("{kind} {:.1}%", percent(*ticks)))
            .collect::<Vec<_>>()
            .join(", ");
        println!("{:>12} | by process kind: {by_kind}", "");
        // The profile: which threads the CPU went to (WebRTC's encoders and decoders run in the
        // renderers' threads; names are Chromium's, cut to 15 characters by the kernel).
        let by_thread = threads_over(&threads_before, &threads_after)
            .into_iter()
            .take(12)
            .map(|(label, ticks)| format!("{label} {:.1}%", percent(ticks)))
            .collect::<Vec<_>>()
            .join(", ");
        println!("{:>12} | by thread: {by_thread}", "");
        drop(pages);
        close(browsers).await?;
    }
    Ok(())
}

/// The size of the file of the transfer benchmark.
const TRANSFER_BYTES: u64 = 200 * 1024 * 1024;

/// Resolves once `pc` has gathered every candidate (the raw channel's descriptions go whole).
const GATHERED: &str = "pc => new Promise(resolve => { const done = () => pc.iceGatheringState === 'complete' && resolve(); \
    pc.addEventListener('icegatheringstatechange', done); done(); })";

/// The raw channel's sending page: a peer connection of its own with one ordered data channel of
/// the app's pacing (up to 4 MiB buffered, resumed at 1 MiB); resolves to its offer.
const RAW_OFFER: &str = r#"(async () => {
    const pc = new RTCPeerConnection();
    const channel = pc.createDataChannel('raw', { ordered: true });
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = 1 << 20;
    window.__raw = { pc, channel, open: new Promise(resolve => channel.onopen = resolve) };
    await pc.setLocalDescription();
    await (__GATHERED__)(pc);
    return pc.localDescription.sdp;
})()"#;

/// The raw channel's receiving page: answers `__OFFER__` and counts what arrives; `__raw.done`
/// resolves to the time (ms since the epoch) the last of `__BYTES__` arrived.
const RAW_ANSWER: &str = r#"(async () => {
    const pc = new RTCPeerConnection();
    const done = new Promise(resolve => pc.ondatachannel = ({ channel }) => {
        channel.binaryType = 'arraybuffer';
        let got = 0;
        channel.onmessage = ({ data }) => { got += data.byteLength; if (got >= __BYTES__) resolve(Date.now()); };
    });
    window.__raw = { pc, done };
    await pc.setRemoteDescription({ type: 'offer', sdp: __OFFER__ });
    await pc.setLocalDescription();
    await (__GATHERED__)(pc);
    return pc.localDescription.sdp;
})()"#;

/// The sending page takes `__ANSWER__`, waits for the channel and sends `__BYTES__` in messages of
/// the app's chunk size, unsealed; resolves to the time (ms since the epoch) it started.
const RAW_SEND: &str = r#"(async () => {
    const { pc, channel, open } = window.__raw;
    await pc.setRemoteDescription({ type: 'answer', sdp: __ANSWER__ });
    await open;
    const chunk = new Uint8Array(__CHUNK__);
    const start = Date.now();
    for (let sent = 0; sent < __BYTES__; sent += chunk.length) {
        if (channel.bufferedAmount >= 4 << 20)
            await new Promise(resolve => channel.onbufferedamountlow = resolve);
        channel.send(chunk);
    }
    return start;
})()"#;

/// Milliseconds to send [`TRANSFER_BYTES`] unsealed from `sender` to `receiver` over a data
/// channel of their own (beside the app's call, which goes on).
async fn raw_transfer_ms(sender: &Page, receiver: &Page) -> Result<f64> {
    let fill = |script: &str| {
        script
            .replace("__GATHERED__", GATHERED)
            .replace("__BYTES__", &TRANSFER_BYTES.to_string())
            .replace("__CHUNK__", &mesh::CHUNK_BYTES.to_string())
    };
    let offer: String = sender.evaluate(fill(RAW_OFFER)).await?.into_value()?;
    let answer: String = receiver
        .evaluate(fill(RAW_ANSWER).replace("__OFFER__", &serde_json::to_string(&offer)?))
        .await?
        .into_value()?;
    let start = read_ms(
        sender,
        &fill(RAW_SEND).replace("__ANSWER__", &serde_json::to_string(&answer)?),
    )
    .await?;
    let end = read_ms(receiver, "window.__raw.done").await?;
    for page in [sender, receiver] {
        page.evaluate("(window.__raw.pc.close(), true)").await?;
    }
    Ok(end - start)
}

/// Resident memory of each Chromium process tree, in launch order (lowest pid first), in MiB.
fn tree_rss() -> Vec<f64> {
    let all = processes();
    let mut trees: Vec<(u32, u64)> = Vec::new();
    for (pid, process) in &all {
        let Some(top) = top_child(&all, *pid) else {
            continue;
        };
        if all
            .get(&top)
            .is_none_or(|browser| !browser.kind.contains("chrom"))
        {
            continue;
        }
        match trees.iter_mut().find(|(t, _)| *t == top) {
            Some((_, rss)) => *rss += process.rss_kib,
            None => trees.push((top, process.rss_kib)),
        }
    }
    trees.sort();
    trees
        .into_iter()
        .map(|(_, kib)| kib as f64 / 1024.0)
        .collect()
}

/// Rounds of the transfer benchmark; each sends the file raw and then through the app.
const TRANSFER_ROUNDS: usize = 3;

/// A 200 MiB file from one browser to another through the app (sealed, paced, hashed), against
/// a raw data channel between the same two browsers, in alternating rounds (the machine's load
/// drifts); and how much each Chromium's memory grows during the app's transfer.
async fn file_transfer(server: &Server) -> Result<()> {
    let url = format!("{}/#bench-file-transfer", server.origin());
    let browsers = launch(2).await?;
    let pages = join_first(&browsers, &url, 1).await?;
    let (sender, receiver) = (&pages[0], &pages[1]);
    sender
        .evaluate(format!(
            "(() => {{ const parts = []; for (let n = 0; n < {TRANSFER_BYTES}; n += 65536) \
             parts.push(crypto.getRandomValues(new Uint8Array(65536))); \
             window.__benchFile = new File(parts, 'bench.bin'); return true; }})()"
        ))
        .await?;
    let mib = TRANSFER_BYTES as f64 / (1024.0 * 1024.0);
    println!(
        "\nFile transfer of {mib:.0} MiB between two Chromiums (loopback), {TRANSFER_ROUNDS} rounds\n"
    );
    println!("round | raw channel | through the app | app/raw | sender +MiB | receiver +MiB");
    let (mut raw_speeds, mut app_speeds, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=TRANSFER_ROUNDS {
        let raw_ms = raw_transfer_ms(sender, receiver).await?;
        let baseline = tree_rss();
        let started = now_ms();
        sender
            .evaluate(
                "(() => { const input = document.querySelector('.controls input[type=file]'); \
                 const data = new DataTransfer(); data.items.add(window.__benchFile); input.files = data.files; \
                 input.dispatchEvent(new Event('change', { bubbles: true })); return true; })()",
            )
            .await?;
        let mut peak = baseline.clone();
        let done = format!("document.querySelectorAll('a.save').length >= {round}");
        loop {
            for (high, now) in peak.iter_mut().zip(tree_rss()) {
                *high = high.max(now);
            }
            if receiver
                .evaluate(done.as_str())
                .await?
                .into_value::<bool>()?
            {
                break;
            }
            anyhow::ensure!(
                now_ms() - started < 300_000.0,
                "the transfer took over 5 minutes"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let app_ms = now_ms() - started;
        let growth: Vec<f64> = baseline.iter().zip(&peak).map(|(b, h)| h - b).collect();
        let (raw, app) = (mib / (raw_ms / 1e3), mib / (app_ms / 1e3));
        println!(
            "{round:>5} | {raw:>6.1} MiB/s | {app:>10.1} MiB/s | {:>6.0} % | {:>11.0} | {:>13.0}",
            app / raw * 100.0,
            growth.first().copied().unwrap_or_default(),
            growth.get(1).copied().unwrap_or_default(),
        );
        raw_speeds.push(raw);
        app_speeds.push(app);
        ratios.push(app / raw);
    }
    println!(
        "median | {:>6.1} MiB/s | {:>10.1} MiB/s | {:>6.0} % |",
        median(raw_speeds),
        median(app_speeds),
        median(ratios) * 100.0
    );
    println!("load average: {}", load_average());
    drop(pages);
    close(browsers).await
}

/// What a first visit transfers: every request of a fresh profile opening an invite link, until
/// the pre-join form is shown (Resource Timing `transferSize`: compressed body and headers).
async fn first_load(server: &Server) -> Result<()> {
    let browser = Browser::launch(Devices::Allowed).await?;
    let page = browser.blank_page().await?;
    page.goto(format!("{}/#bench-first-load-room", server.origin()))
        .await?;
    wait_for_text(&page, "Join", TIMEOUT).await?;
    let entries: Vec<(String, f64, f64)> = page
        .evaluate(
            "[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]\
             .map(e => [new URL(e.name).pathname, e.transferSize, e.decodedBodySize])",
        )
        .await?
        .into_value()?;
    println!("\nFirst load of an invite link (fresh profile): bytes over the wire per request\n");
    println!(
        "{:<40} | {:>12} | {:>12}",
        "request", "transferred", "decoded"
    );
    for (path, transferred, decoded) in &entries {
        println!("{path:<40} | {transferred:>12.0} | {decoded:>12.0}");
    }
    let total: f64 = entries.iter().map(|e| e.1).sum();
    println!("{:<40} | {total:>12.0} | (goal 250,000)", "total");
    browser.close().await
}

async fn read_ms(page: &Page, expression: &str) -> Result<f64> {
    Ok(page.evaluate(expression).await?.into_value()?)
}

/// The longest time without a new video frame, per page, since [`FRAME_WATCH`] started.
async fn longest_gaps(pages: &[Page]) -> Result<Vec<f64>> {
    let mut gaps = Vec::new();
    for page in pages {
        gaps.push(read_ms(page, "window.__frames.maxGap").await?);
    }
    Ok(gaps)
}

async fn media_stalls(server: &mut Server) -> Result<()> {
    let url = format!("{}/#bench-media-stalls", server.origin());
    let browsers = launch(2).await?;
    let pages = join_first(&browsers, &url, 1).await?;
    tokio::time::sleep(SETTLE).await;
    println!(
        "\nMedia stalls in a two-person call (longest time without a new decoded frame, per page)\n"
    );

    for page in &pages {
        page.evaluate(FRAME_WATCH).await?;
    }
    let killed = now_ms();
    server.kill()?;
    for page in &pages {
        wait_for_text(page, "Reconnecting to the server", TIMEOUT).await?;
    }
    server.start_again()?;
    let back = "!document.body.innerText.includes('Reconnecting to the server')";
    for page in &pages {
        wait_until(page, "back on the server", back, TIMEOUT).await?;
    }
    let outage = now_ms() - killed;
    tokio::time::sleep(SETTLE).await;
    let gaps = longest_gaps(&pages).await?;
    println!("server restart (server away and back: {outage:.0} ms): longest gap {gaps:.0?} ms");

    for page in &pages {
        page.evaluate(FRAME_WATCH).await?;
    }
    let blackout = Blackout::start()?;
    tokio::time::sleep(CUT).await;
    blackout.end()?;
    let restored = now_ms();
    let mut recovery = Vec::new();
    for page in &pages {
        let flowing = format!("window.__frames.last > {restored}");
        wait_until(page, "video flows again", &flowing, TIMEOUT).await?;
        recovery.push(read_ms(page, "window.__frames.last").await? - restored);
    }
    let gaps = longest_gaps(&pages).await?;
    println!(
        "network cut of {} s (ICE restart): longest gap {gaps:.0?} ms, first frame {recovery:.0?} ms after the cut ended",
        CUT.as_secs()
    );
    println!("load average: {}", load_average());
    close(browsers).await
}

#[tokio::main]
async fn main() -> Result<()> {
    // Every run joins from one address, more often than a person would: lift the join rates.
    let mut server = Server::start(&[
        "--log",
        "warn",
        "--max-joins-per-minute-per-ip",
        "10000",
        "--max-joins-per-minute-per-network",
        "10000",
    ])?;
    // One section by name (`load`, `setup`, `steady`, `files`, `stalls`), or all of them; after
    // `setup`, optionally the meeting sizes to run (`setup 2 3`).
    let only = std::env::args().nth(1);
    let wanted = |section: &str| only.as_deref().is_none_or(|only| only == section);
    if wanted("setup") {
        let sizes = std::env::args()
            .skip(2)
            .map(|size| size.parse().context("a meeting size"))
            .collect::<Result<Vec<usize>>>()?;
        call_setup(&server, &sizes).await?;
    }
    if wanted("load") {
        first_load(&server).await?;
    }
    if wanted("steady") {
        steady_calls(&server).await?;
    }
    if wanted("files") {
        file_transfer(&server).await?;
    }
    if wanted("stalls") {
        media_stalls(&mut server).await?;
    }
    Ok(())
}
