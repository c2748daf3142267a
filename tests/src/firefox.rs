//! Headless Firefox (Debian's `firefox-esr`) with fake camera and microphone, driven over
//! WebDriver through geckodriver. One [`Firefox`] is one browser with one window, and that window
//! is a [`Tab`]: the same checks as for Chromium's tabs run in it.
//!
//! WebDriver cannot run a script before a page's own (Chromium's tabs get an observer of the
//! page's peer connections that way, see [`crate::open_meeting`]), so tests read a Firefox page
//! only through what it shows and plays, never through its `getStats()`.

use crate::browser::Tab;
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Preferences for Firefox in a network namespace with only loopback, in English (geckodriver
/// adds its own for automation: no updates, no first-run pages).
fn preferences() -> Value {
    json!({
        // Fake camera (a moving picture) and microphone (a tone), no permission prompt.
        "media.navigator.streams.fake": true,
        "media.navigator.permission.disabled": true,
        // ICE gathers every local address (and names it, rather than an mDNS name) only for a
        // page with camera or microphone permission, which the setting above does not record;
        // otherwise just the default route's address, and a namespace with only loopback has no
        // default route: no candidate at all.
        "permissions.default.camera": 1,
        "permissions.default.microphone": 1,
        // Loopback addresses as host candidates (skipped otherwise).
        "media.peerconnection.ice.loopback": true,
        // Media and Web Audio play without a click.
        "media.autoplay.default": 0,
        "media.autoplay.block-webaudio": false,
        // This machine has no sound card and no sound server: without an output device Firefox
        // never starts an AudioContext (it stays "suspended"), so the tests could not listen.
        // Firefox's mock audio backend stands in for the sound card, as Chromium's fake devices
        // do for its camera and microphone; the audio itself is decoded and mixed as usual.
        "media.cubeb.force_mock_context": true,
        "intl.accept_languages": "en-US",
        "intl.locale.requested": "en-US",
    })
}

/// One Firefox process under its own geckodriver, with a fresh profile.
pub struct Firefox {
    client: fantoccini::Client,
    /// geckodriver until it is stopped.
    driver: Option<Child>,
    _profiles: tempfile::TempDir,
}

impl Firefox {
    /// Launches Firefox (`STUBE_FIREFOX`, default /usr/bin/firefox-esr) under geckodriver
    /// (`STUBE_GECKODRIVER`, default `geckodriver` on PATH) in English. geckodriver's and
    /// Firefox's output go to the file `STUBE_FIREFOX_LOG` names, if set, else nowhere.
    pub async fn launch() -> Result<Self> {
        let binary =
            std::env::var("STUBE_FIREFOX").unwrap_or_else(|_| "/usr/bin/firefox-esr".to_owned());
        let geckodriver =
            std::env::var("STUBE_GECKODRIVER").unwrap_or_else(|_| "geckodriver".to_owned());
        let profiles =
            tempfile::tempdir().context("could not create a directory for Firefox profiles")?;
        let log = match std::env::var_os("STUBE_FIREFOX_LOG") {
            Some(path) => Some(
                std::fs::File::options()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .context("could not open STUBE_FIREFOX_LOG")?,
            ),
            None => None,
        };
        let stderr = match &log {
            Some(file) => Stdio::from(file.try_clone()?),
            None => Stdio::null(),
        };
        let mut driver = Command::new(&geckodriver)
            // A process group of its own, with the Firefox it starts: see `stop`.
            .process_group(0)
            .args(["--port", "0", "--websocket-port", "0"])
            .arg("--profile-root")
            .arg(profiles.path())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("could not start {geckodriver}"))?;
        let address = match listening_address(&mut driver, log).await {
            Ok(address) => address,
            Err(error) => {
                stop(&mut Some(driver));
                return Err(error);
            }
        };
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".to_owned(), json!("firefox"));
        capabilities.insert(
            "moz:firefoxOptions".to_owned(),
            json!({
                "binary": binary,
                "args": ["-headless", "-width", "1280", "-height", "800"],
                "prefs": preferences(),
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = fantoccini::ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://{address}"))
            .await;
        match client {
            Ok(client) => Ok(Self {
                client,
                driver: Some(driver),
                _profiles: profiles,
            }),
            Err(error) => {
                stop(&mut Some(driver));
                Err(error).context("geckodriver could not start Firefox")
            }
        }
    }

    /// Opens the invite link `<origin>/#<room>` in the window and waits for the pre-join form.
    pub async fn open_meeting(&self, origin: &str, room: &str) -> Result<()> {
        self.client
            .goto(&format!("{origin}/#{room}"))
            .await
            .context("Firefox could not open the invite link")?;
        crate::meeting::wait_for_prejoin(self).await
    }

    /// Closes Firefox, then stops geckodriver.
    pub async fn close(mut self) -> Result<()> {
        let closed = self.client.clone().close().await;
        stop(&mut self.driver);
        closed.context("could not close Firefox")
    }
}

impl Drop for Firefox {
    /// A test that failed half-way leaves neither geckodriver nor Firefox behind.
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

/// Kills geckodriver's process group: geckodriver and the Firefox it started, whose processes a
/// killed geckodriver would leave running. Only once: until geckodriver is waited for, its id
/// (and so the group's) cannot belong to anyone else.
fn stop(driver: &mut Option<Child>) {
    if let Some(mut driver) = driver.take() {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = driver.wait();
    }
}

impl Tab for Firefox {
    async fn value_of(&self, expression: &str) -> Result<Value> {
        // WebDriver runs a function body and awaits a promise it returns.
        let script = format!("return (\n{expression}\n);");
        self.client
            .execute(&script, Vec::new())
            .await
            .with_context(|| format!("Firefox could not evaluate `{expression}`"))
    }

    /// Firefox has this one window; nothing can be in front of it.
    async fn to_front(&self) -> Result<()> {
        Ok(())
    }

    async fn screenshot(&self) -> Result<Vec<u8>> {
        self.client
            .screenshot()
            .await
            .context("Firefox could not take a screenshot")
    }
}

/// Reads geckodriver's output until it names the address it listens on (it picks a free port),
/// in a thread of its own that keeps reading (into `log`, if any), so a full pipe never blocks it.
async fn listening_address(driver: &mut Child, mut log: Option<std::fs::File>) -> Result<String> {
    let stdout = driver
        .stdout
        .take()
        .context("geckodriver's output is not captured")?;
    let (found, address) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(log) = log.as_mut() {
                let _ = writeln!(log, "{line}");
            }
            if let Some(address) = line.split("Listening on ").nth(1)
                && let Some(found) = found.take()
            {
                let _ = found.send(address.trim().to_owned());
            }
        }
    });
    match tokio::time::timeout(Duration::from_secs(10), address).await {
        Ok(Ok(address)) => Ok(address),
        Ok(Err(_)) => bail!("geckodriver exited without listening"),
        Err(_) => bail!("geckodriver did not listen within 10 s"),
    }
}
