//! Headless Chromium with fake camera and microphone, driven over the DevTools protocol.

use anyhow::{Context, Result, anyhow, bail};
use chromiumoxide::browser::{Browser as CdpBrowser, BrowserConfig};
use futures_util::StreamExt;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

pub use chromiumoxide::Page;

/// Flags for a quiet, isolated Chromium: no Google services, WebRTC on loopback with host
/// candidates, fake media devices that need no permission prompt.
const FLAGS: &[&str] = &[
    "headless=new",
    "no-sandbox",
    "disable-gpu",
    "disable-dev-shm-usage",
    "no-first-run",
    "no-default-browser-check",
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "disable-quic",
    "disable-extensions",
    "disable-default-apps",
    "disable-breakpad",
    "metrics-recording-only",
    "mute-audio",
    "allow-loopback-in-peer-connection",
    "disable-features=WebRtcHideLocalIpsWithMdns,TranslateUI,MediaRouter",
    "use-fake-device-for-media-stream",
    "use-fake-ui-for-media-stream",
    "autoplay-policy=no-user-gesture-required",
    "lang=en-US",
];

/// One Chromium process with its own fresh profile directory.
pub struct Browser {
    browser: CdpBrowser,
    handler: JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Launches Chromium (`STUBE_CHROMIUM`, default /usr/bin/chromium) with `extra_flags` too.
    pub async fn launch(extra_flags: &[&str]) -> Result<Self> {
        let executable =
            std::env::var("STUBE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let profile =
            tempfile::tempdir().context("could not create a Chromium profile directory")?;
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .disable_default_args()
            .user_data_dir(profile.path())
            .args(FLAGS.iter().chain(extra_flags).copied())
            .viewport(None)
            .launch_timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| anyhow!("invalid browser configuration: {error}"))?;
        let (browser, mut events) = CdpBrowser::launch(config)
            .await
            .context("could not launch Chromium")?;
        let handler = tokio::spawn(async move { while events.next().await.is_some() {} });
        Ok(Self {
            browser,
            handler,
            _profile: profile,
        })
    }

    /// A new tab showing `about:blank` (attach listeners, then navigate).
    pub async fn blank_page(&self) -> Result<Page> {
        self.browser
            .new_page("about:blank")
            .await
            .context("could not open a tab")
    }

    /// Closes Chromium and waits for the process to end.
    pub async fn close(mut self) -> Result<()> {
        self.browser
            .close()
            .await
            .context("could not close Chromium")?;
        self.browser.wait().await.context("Chromium did not exit")?;
        self.handler.abort();
        Ok(())
    }
}

/// Evaluates the JavaScript expression `condition` in `page` until it is `true`, or fails after
/// `timeout` with `what` and the last value it saw.
pub async fn wait_until(page: &Page, what: &str, condition: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let mut last = serde_json::Value::Null;
    while Instant::now() < deadline {
        match page.evaluate(condition).await {
            Ok(result) => {
                last = result.value().cloned().unwrap_or_default();
                if last == serde_json::Value::Bool(true) {
                    return Ok(());
                }
            }
            Err(error) => last = serde_json::Value::String(error.to_string()),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("timed out after {timeout:?} waiting until {what}; `{condition}` was {last}")
}
