//! Headless Chromium driven through chromedriver (WebDriver), for the tests of `neurone ui`.
//! `scripts/browser-env.sh` installs Debian's `chromium` and `chromium-driver` on first use;
//! without them the test is skipped with a message, and under `CI=true` it fails instead.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

/// The flags every browser test runs Chromium with: headless, no sandbox (root in CI), no
/// traffic of its own (updates, sync, QUIC), a profile of its own.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1400,1050",
];

/// A running chromedriver, and the profile folder of its browser; both go when dropped.
pub struct Driver {
    process: Child,
    pub port: u16,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Chromedriver on a free loopback port once `scripts/browser-env.sh` has installed it; `None`
/// (skip) when it cannot be, which fails the test under `CI=true`.
pub fn driver(test: &str) -> Option<Driver> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let installed = Command::new("bash").arg(root.join("scripts/browser-env.sh")).status();
    if !installed.as_ref().is_ok_and(|status| status.success()) {
        let message = format!("{test}: chromium and chromedriver could not be installed ({installed:?})");
        if std::env::var("CI").is_ok_and(|value| value == "true") {
            panic!("{message}; CI must run this test");
        }
        eprintln!("skipped {message}");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let process = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = std::env::temp_dir().join(format!("neurone-chromium-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    Some(Driver { process, port, profile })
}

impl Driver {
    /// A new headless Chromium session with [`CHROMIUM_FLAGS`] and a fresh profile.
    pub async fn browser(&self) -> Client {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!("--user-data-dir={}", self.profile.display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), serde_json::json!({ "args": args }));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a chromium session")
    }
}

/// Evaluates `script` (a function body that returns a value) in the page until `accept`
/// takes its value, every 200 ms for at most `limit`; the last value is in the panic message.
pub async fn wait_for<T>(
    browser: &Client,
    what: &str,
    limit: Duration,
    script: &str,
    mut accept: impl FnMut(&serde_json::Value) -> Option<T>,
) -> T {
    let started = Instant::now();
    loop {
        let value = browser.execute(script, vec![]).await.unwrap_or(serde_json::Value::Null);
        if let Some(accepted) = accept(&value) {
            return accepted;
        }
        assert!(started.elapsed() < limit, "{what}: still {value} after {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The folder screenshots go to: `NEURONE_UI_SCREENSHOTS` (relative to the repository, e.g.
/// `docs/ui` to update the documentation's), else `target/ui-screenshots`.
pub fn screenshot_folder() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let folder = std::env::var_os("NEURONE_UI_SCREENSHOTS")
        .map_or(root.join("target/ui-screenshots"), |folder| root.join(folder));
    std::fs::create_dir_all(&folder).unwrap();
    folder
}
