//! Headless Chromium with fake camera and microphone, driven over the DevTools protocol, and
//! [`Tab`]: what every check needs from a page, whichever browser shows it (see also
//! [`crate::firefox`]).

use anyhow::{Context, Result, anyhow, bail};
use chromiumoxide::browser::{Browser as CdpBrowser, BrowserConfig};
use futures_util::StreamExt;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

pub use chromiumoxide::Page;

/// A page the tests run JavaScript in and look at: a Chromium tab, or a Firefox window. Every
/// check of the app (forms, tiles, media, safety numbers) is written once against it.
pub trait Tab {
    /// The value of the JavaScript expression `expression` (a promise is awaited) as JSON;
    /// `undefined` is `null`.
    fn value_of(&self, expression: &str) -> impl Future<Output = Result<serde_json::Value>>;

    /// Makes the page the one in front, as the one a person looks at.
    fn to_front(&self) -> impl Future<Output = Result<()>>;

    /// A PNG of the whole page.
    fn screenshot(&self) -> impl Future<Output = Result<Vec<u8>>>;

    /// The value of `expression`, deserialised.
    fn read<T: serde::de::DeserializeOwned>(
        &self,
        expression: &str,
    ) -> impl Future<Output = Result<T>> {
        async move {
            let value = self.value_of(expression).await?;
            serde_json::from_value(value.clone())
                .with_context(|| format!("`{expression}` gave an unexpected value: {value}"))
        }
    }
}

impl Tab for Page {
    async fn value_of(&self, expression: &str) -> Result<serde_json::Value> {
        Ok(self
            .evaluate(expression)
            .await?
            .value()
            .cloned()
            .unwrap_or_default())
    }

    async fn to_front(&self) -> Result<()> {
        self.bring_to_front().await?;
        Ok(())
    }

    /// The whole page, beyond the window, as laid out for the window it has. (chromiumoxide's
    /// full-page screenshot resizes the window to the page and then clears every viewport
    /// override, so a test that set one would go on in another layout.)
    async fn screenshot(&self) -> Result<Vec<u8>> {
        use chromiumoxide::cdp::browser_protocol::page::{CaptureScreenshotParams, Viewport};
        // A tab in the background may not paint.
        self.bring_to_front().await?;
        let [width, height]: [f64; 2] = self
            .read(
                "[document.documentElement.scrollWidth, \
                 Math.max(document.documentElement.scrollHeight, innerHeight)]",
            )
            .await?;
        let parameters = CaptureScreenshotParams {
            capture_beyond_viewport: Some(true),
            clip: Some(Viewport {
                x: 0.0,
                y: 0.0,
                width,
                height,
                scale: 1.0,
            }),
            ..CaptureScreenshotParams::default()
        };
        let png = self.execute(parameters).await?.result.data;
        crypto::from_base64(png.as_ref()).context("the screenshot is not base64")
    }
}

impl<T: Tab> Tab for &T {
    fn value_of(&self, expression: &str) -> impl Future<Output = Result<serde_json::Value>> {
        (**self).value_of(expression)
    }

    fn to_front(&self) -> impl Future<Output = Result<()>> {
        (**self).to_front()
    }

    fn screenshot(&self) -> impl Future<Output = Result<Vec<u8>>> {
        (**self).screenshot()
    }
}

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
    // Three fake cameras (and Chromium's fake microphones and speakers), so devices can be
    // switched: fake_device_0 (I420) is the default; fake_device_1 is a depth camera (Y16) that
    // WebRTC cannot encode; fake_device_2 (MJPEG) is the one to switch to.
    "use-fake-device-for-media-stream=device-count=3",
    // getDisplayMedia picks the fake screen without a picker.
    "auto-select-desktop-capture-source=Entire screen",
    "autoplay-policy=no-user-gesture-required",
];

/// Whether the fake camera and microphone may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Devices {
    /// Every permission request is granted without a prompt.
    Allowed,
    /// Every permission request is denied, as if the user had clicked "Block".
    Denied,
}

impl Devices {
    fn flag(self) -> &'static str {
        match self {
            Self::Allowed => "use-fake-ui-for-media-stream",
            Self::Denied => "deny-permission-prompts",
        }
    }
}

/// One Chromium process with its own fresh profile directory.
pub struct Browser {
    browser: CdpBrowser,
    handler: JoinHandle<()>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Launches Chromium (`STUBE_CHROMIUM`, default /usr/bin/chromium) in English.
    pub async fn launch(devices: Devices) -> Result<Self> {
        Self::launch_in(devices, "en-US").await
    }

    /// Launches Chromium with `language` (`de-DE`, say) as the browser's language, which the
    /// app follows.
    pub async fn launch_in(devices: Devices, language: &str) -> Result<Self> {
        Self::launch_with(devices, language, &[]).await
    }

    /// Launches Chromium trusting the TLS certificate whose public key has this SHA-256 (base64),
    /// as a person would after comparing its fingerprint.
    pub async fn launch_trusting(devices: Devices, spki_sha256: &str) -> Result<Self> {
        let trust = format!("ignore-certificate-errors-spki-list={spki_sha256}");
        Self::launch_with(devices, "en-US", &[trust]).await
    }

    async fn launch_with(devices: Devices, language: &str, extra: &[String]) -> Result<Self> {
        let executable =
            std::env::var("STUBE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let profile =
            tempfile::tempdir().context("could not create a Chromium profile directory")?;
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .disable_default_args()
            .user_data_dir(profile.path())
            .args(FLAGS.iter().copied().chain([devices.flag()]))
            .args([
                format!("lang={language}"),
                format!("accept-lang={language}"),
            ])
            .args(extra.iter().map(String::as_str))
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
pub async fn wait_until(
    page: &impl Tab,
    what: &str,
    condition: &str,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let mut last = serde_json::Value::Null;
    while Instant::now() < deadline {
        match page.value_of(condition).await {
            Ok(value) => {
                last = value;
                if last == serde_json::Value::Bool(true) {
                    return Ok(());
                }
            }
            Err(error) => last = serde_json::Value::String(error.to_string()),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let shown = match page.value_of("document.body.innerText").await {
        Ok(text) => text,
        Err(error) => serde_json::Value::String(error.to_string()),
    };
    // The tiles' classes say what the text cannot: who is featured, speaking, camera off.
    let tiles = page
        .value_of(
            "[...document.querySelectorAll('.tile')].map(tile => \
             `${tile.querySelector('.name')?.textContent ?? ''} [${tile.className}]`).join('; ')",
        )
        .await
        .unwrap_or_else(|error| serde_json::Value::String(error.to_string()));
    bail!(
        "timed out after {timeout:?} waiting until {what}; `{condition}` was {last}; the page showed {shown}; its tiles were {tiles}"
    )
}

/// Saves a PNG of `page` as `<name>.png` in the directory `STUBE_SCREENSHOTS` names, so a person
/// can look at what a test saw; does nothing when it is not set.
pub async fn save_screenshot(page: &impl Tab, name: &str) -> Result<()> {
    let Some(directory) = std::env::var_os("STUBE_SCREENSHOTS") else {
        return Ok(());
    };
    std::fs::create_dir_all(&directory).context("could not create the screenshot directory")?;
    let path = std::path::Path::new(&directory).join(format!("{name}.png"));
    let png = page.screenshot().await?;
    std::fs::write(&path, png)
        .with_context(|| format!("could not save a screenshot to {}", path.display()))?;
    Ok(())
}

/// Makes `page` render as a window of `width` × `height` CSS pixels (`mobile`: a phone's viewport
/// and touch rules).
pub async fn set_viewport(page: &Page, width: i64, height: i64, mobile: bool) -> Result<()> {
    use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
    page.execute(SetDeviceMetricsOverrideParams::new(
        width, height, 1.0, mobile,
    ))
    .await
    .context("could not set the viewport")?;
    Ok(())
}
