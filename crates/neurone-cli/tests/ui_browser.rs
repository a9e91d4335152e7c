//! `neurone ui` in a real browser: headless Chromium trains the circle and the xor in the
//! playground to a test accuracy of at least 0.95 read from the page, restores a configuration
//! from a URL, and finds on the runs page a run this test made with `neurone train` (listed,
//! plotted, and followed live while it trains). The speed of the playground while it draws is
//! measured and printed (bench/RESULTS.md reports it), and screenshots of both pages are taken.

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use browser::wait_for;
use common::{example, scratch};
use fantoccini::{Client, Locator};

/// `neurone ui` on a free port, serving `runs`; stopped by Ctrl-C (SIGINT) in [`UiProcess::stop`].
struct UiProcess {
    child: Child,
    url: String,
}

impl UiProcess {
    fn start(runs: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_neurone"))
            .args(["ui", "--port", "0", "--runs"])
            .arg(runs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|word| word.starts_with("http://127.0.0.1:")).expect("the URL printed");
        Self { url: url.to_owned(), child }
    }

    /// Ctrl-C: the server must stop by itself, cleanly.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        let output =
            std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap()).wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success() && stderr.contains("neurone ui: stopped"), "{:?} {stderr}", output.status);
    }
}

impl Drop for UiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A number shown in the element `id`, if it shows one.
fn shown_number(value: &serde_json::Value) -> Option<f64> {
    value.as_str().and_then(|text| text.trim().parse().ok())
}

const TEXT_OF: &str = "return document.getElementById(arguments[0]).textContent;";

async fn text_of(browser: &Client, id: &str) -> String {
    browser.execute(TEXT_OF, vec![id.into()]).await.unwrap().as_str().unwrap_or_default().to_owned()
}

/// Opens the playground at `fragment`, plays, and waits for a test accuracy of at least 0.95;
/// returns it.
async fn train_to_accuracy(browser: &Client, url: &str, fragment: &str) -> f64 {
    browser.goto("about:blank").await.unwrap();
    browser.goto(&format!("{url}#{fragment}")).await.unwrap();
    wait_for(
        browser,
        "the first frame",
        Duration::from_secs(20),
        "return document.getElementById('epoch').textContent;",
        |v| v.as_str().filter(|text| text.starts_with('0')).map(drop),
    )
    .await;
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    let script = "return document.getElementById('test_accuracy').textContent;";
    wait_for(browser, fragment, Duration::from_secs(90), script, |value| shown_number(value).filter(|&a| a >= 0.95))
        .await
}

/// Samples the page's steps per second and frames per second for three seconds of playing:
/// their medians.
async fn speed(browser: &Client) -> (f64, f64) {
    let (mut steps, mut frames) = (Vec::new(), Vec::new());
    for _ in 0..12 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        steps.push(text_of(browser, "steps_per_second").await.parse::<f64>().unwrap_or(0.0));
        frames.push(text_of(browser, "fps").await.parse::<f64>().unwrap_or(0.0));
    }
    let median = |mut values: Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    (median(steps), median(frames))
}

#[tokio::test(flavor = "current_thread")]
async fn the_playground_and_the_runs_page_in_chromium() {
    let Some(driver) = browser::driver("ui_browser") else { return };
    let folder = scratch("ui-browser");
    let runs = folder.join("runs");
    std::fs::create_dir_all(&runs).unwrap();
    let out = runs.join("sine-short").to_string_lossy().into_owned();
    let trained =
        common::run(&["train", &example("sine"), "--quiet", "--set", "train.epochs=200", "--out", &out], &folder);
    assert!(trained.status.success(), "{}", String::from_utf8_lossy(&trained.stderr));
    let ui = UiProcess::start(&runs);
    let browser = driver.browser().await;
    let shots = browser::screenshot_folder();

    // The circle, with TensorFlow Playground's network of 2-8-8-1; its speed while drawing, at
    // full speed.
    let circle = "problem=circle&features=x1,x2&layers=8,8&activation=tanh&learning_rate=0.03&batch_size=10&speed=max";
    let accuracy = train_to_accuracy(&browser, &ui.url, circle).await;
    // Paused as soon as it is learnt: the equations of a hidden neuron, then a screenshot.
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    browser
        .execute("document.querySelector('canvas.node[data-layer=\"0\"][data-neuron=\"2\"]').dispatchEvent(new MouseEvent('mouseenter'));", vec![])
        .await
        .unwrap();
    let equations = text_of(&browser, "equations").await;
    assert!(equations.contains("zⱼ = wⱼ·a(0) + bⱼ") && equations.contains("∂J/∂wⱼₖ = δⱼ a(0)ₖ"), "{equations}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(shots.join("playground.png"), browser.screenshot().await.unwrap()).unwrap();
    // Playing again, its speed while drawing.
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    let (steps_per_second, frames_per_second) = speed(&browser).await;
    println!(
        "circle: test accuracy {accuracy}; 2-8-8-1 playing: {steps_per_second} steps/s, {frames_per_second} frames/s"
    );
    std::fs::write(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ui-speed.txt"),
        format!("steps_per_second {steps_per_second}\nframes_per_second {frames_per_second}\n"),
    )
    .unwrap();
    assert!(steps_per_second > 0.0 && frames_per_second > 0.0, "the page shows no progress");

    // The xor.
    let xor = "problem=xor&features=x1,x2&layers=8,8&activation=tanh&learning_rate=0.03&batch_size=10&speed=max";
    let accuracy = train_to_accuracy(&browser, &ui.url, xor).await;
    println!("xor: test accuracy {accuracy}");

    // A configuration restored from its URL.
    browser.goto("about:blank").await.unwrap();
    let shared = "problem=spiral&noise=20&features=x1,x2,sin_x1&layers=5,3&activation=relu&learning_rate=0.1&optimizer=adam&seed=7";
    browser.goto(&format!("{}#{shared}", ui.url)).await.unwrap();
    let restored = "return [document.getElementById('activation').value, document.getElementById('learning_rate').value,
        document.getElementById('optimizer').value, document.getElementById('noise').value, document.getElementById('seed').value,
        document.querySelectorAll('canvas.node[data-layer=\"0\"]').length, document.querySelectorAll('canvas.node[data-layer=\"1\"]').length,
        document.querySelector('.problem.selected').dataset.problem,
        [...document.querySelectorAll('canvas.node[data-feature]:not(.disabled)')].map(n => n.dataset.feature).join(','),
        document.getElementById('epoch').textContent];";
    let expected = serde_json::json!(["relu", "0.1", "adam", "20", "7", 5, 3, "spiral", "x1,x2,sin_x1", "000000"]);
    wait_for(&browser, "the restored configuration", Duration::from_secs(20), restored, |value| {
        (value == &expected).then_some(())
    })
    .await;

    // The spiral learnt, with its test points (hollow) drawn from the same arms as the training ones.
    let spiral = "problem=spiral&features=x1,x2,sin_x1,sin_x2&layers=8,8&activation=tanh&learning_rate=0.01&optimizer=adam&batch_size=10&speed=max";
    let accuracy = train_to_accuracy(&browser, &ui.url, spiral).await;
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    browser.find(Locator::Id("show_test")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(shots.join("spiral.png"), browser.screenshot().await.unwrap()).unwrap();
    println!("spiral: test accuracy {accuracy}");

    // The runs page lists the run made above and draws its curves and plots; a run in progress
    // appears, and its epochs grow.
    let live_run = runs.join("sine-live");
    let mut live = Command::new(env!("CARGO_BIN_EXE_neurone"))
        .args(["train", &example("sine"), "--quiet", "--no-plots", "--set", "train.epochs=1000000", "--out"])
        .arg(&live_run)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    browser.goto(&format!("{}runs", ui.url)).await.unwrap();
    let listed = "return [...document.querySelectorAll('#runs_table tbody tr')].map(row => row.dataset.run + (row.querySelector('.live') ? ' live' : '')).join(' ');";
    wait_for(&browser, "the runs listed", Duration::from_secs(30), listed, |value| {
        value.as_str().filter(|text| text.contains("sine-short") && text.contains("sine-live live")).map(drop)
    })
    .await;
    let epochs_of_live = "const history = [...document.querySelectorAll('#runs_table thead th')].findIndex(th => th.dataset.key === 'epochs');
        const row = document.querySelector('#runs_table tbody tr[data-run=\"sine-live\"]');
        return history < 0 || !row ? null : row.children[history].textContent;";
    let first =
        wait_for(&browser, "the live run's epochs", Duration::from_secs(20), epochs_of_live, shown_number).await;
    wait_for(&browser, "the live run growing", Duration::from_secs(20), epochs_of_live, |value| {
        shown_number(value).filter(|&epochs| epochs > first)
    })
    .await;
    let _ = Command::new("kill").args(["-INT", &live.id().to_string()]).status();
    let _ = live.wait();
    let curves = "const canvas = document.getElementById('curves'); const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = 0; for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++; return drawn;";
    wait_for(&browser, "the learning curves drawn", Duration::from_secs(10), curves, |v| {
        v.as_u64().filter(|&n| n > 500)
    })
    .await;
    browser.execute("document.querySelector('tr[data-run=\"sine-short\"] .run-name').click();", vec![]).await.unwrap();
    let plots = "return [...document.querySelectorAll('#details_plots img')].filter(img => img.complete && img.naturalWidth > 0).map(img => img.alt).join(',');";
    wait_for(&browser, "the run's plots", Duration::from_secs(10), plots, |value| {
        value.as_str().filter(|text| text.contains("learning_curves.png") && text.contains("fit.png")).map(drop)
    })
    .await;
    // The whole page, its header on top.
    browser.set_window_size(1400, 2300).await.unwrap();
    browser.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(shots.join("runs.png"), browser.screenshot().await.unwrap()).unwrap();

    browser.close().await.unwrap();
    ui.stop();
    drop(driver);
    std::fs::remove_dir_all(folder).unwrap();
}

/// `METHOD path` with `body` to the server at `url`, over plain HTTP/1.1: the status and the
/// body's bytes.
fn http(url: &str, method: &str, path: &str, body: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let end = response.windows(4).position(|window| window == b"\r\n\r\n").expect("a header") + 4;
    let status = String::from_utf8_lossy(&response[9..12]).parse().unwrap();
    (status, response[end..].to_vec())
}

#[test]
fn a_model_saved_in_the_playground_is_read_by_neurone_predict() {
    let folder = scratch("ui-predict");
    let ui = UiProcess::start(&folder);
    let request = r#"{"problem":"xor","train_ratio":0.5,"samples":200,"seed":3,"features":["x1","x2","x1_times_x2"],
        "network":{"layers":[4]},"training":{"optimizer":{"kind":"adam"},"learning_rate":0.03,"batch_size":10}}"#;
    let (status, body) = http(&ui.url, "POST", "/api/trainings", request);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let id = answer["id"].as_u64().unwrap();
    for _ in 0..20 {
        assert_eq!(http(&ui.url, "POST", &format!("/api/trainings/{id}/control"), r#"{"action":"step"}"#).0, 204);
    }
    let (status, model) = http(&ui.url, "GET", &format!("/api/trainings/{id}/model"), "");
    assert_eq!(status, 200);
    std::fs::write(folder.join("playground.safetensors"), model).unwrap();
    // Points of each class, far from the boundary: xor's class 1 where x1 and x2 share a sign.
    std::fs::write(folder.join("rows.csv"), "x1,x2,x1*x2\n4,4,16\n-4,-4,16\n4,-4,-16\n-4,4,-16\n").unwrap();
    let predicted = common::run(&["predict", "playground.safetensors", "rows.csv"], &folder);
    let text = String::from_utf8_lossy(&predicted.stdout);
    assert!(predicted.status.success(), "{}", String::from_utf8_lossy(&predicted.stderr));
    let classes: Vec<&str> = text.lines().skip(1).map(|line| line.split(',').next().unwrap()).collect();
    assert_eq!(classes, ["1", "1", "0", "0"], "{text}");
    ui.stop();
    std::fs::remove_dir_all(folder).unwrap();
}

/// Opens the playground at `fragment` in a fresh page.
async fn open_playground(browser: &Client, url: &str, fragment: &str) {
    browser.goto("about:blank").await.unwrap();
    browser.goto(&format!("{url}#{fragment}")).await.unwrap();
}

/// Waits for the page's first frame (the epoch counter drawn).
async fn first_frame(browser: &Client, what: &str) {
    let script = "return document.getElementById('epoch').textContent;";
    wait_for(browser, what, Duration::from_secs(30), script, |v| v.as_str().filter(|text| text.len() == 6).map(drop))
        .await;
}

/// Waits for the error the page shows, and returns it.
async fn shown_error(browser: &Client, what: &str) -> String {
    let script = "const e = document.getElementById('error'); return e.hidden ? null : e.textContent;";
    wait_for(browser, what, Duration::from_secs(30), script, |v| v.as_str().map(str::to_owned)).await
}

/// The ids of the trainings the server runs.
fn trainings_running(url: &str) -> Vec<u64> {
    let (status, body) = http(url, "GET", "/api/trainings", "");
    assert_eq!(status, 200);
    serde_json::from_slice(&body).unwrap()
}

/// Neurons drawn in each column after the features: the hidden layers, then the output.
const NODES_PER_LAYER: &str =
    "return [0, 1, 2, 3, 4, 5, 6].map(l => document.querySelectorAll(`canvas.node[data-layer=\"${l}\"]`).length);";

#[tokio::test(flavor = "current_thread")]
async fn the_playground_s_defects_stay_fixed_in_chromium() {
    let Some(driver) = browser::driver("ui_browser_defects") else { return };
    let folder = scratch("ui-browser-defects");
    let ui = UiProcess::start(&folder);
    let browser = driver.browser().await;
    let circle = "problem=circle&features=x1,x2&layers=4,2&activation=tanh&learning_rate=0.03&batch_size=10";

    // A chart of 10⁶ points draws (Math.min(...xs) overflowed the call stack).
    open_playground(&browser, &ui.url, circle).await;
    first_frame(&browser, "the circle").await;
    let drawn = "try { const points = Array.from({ length: 1000000 }, (_, i) => [i, 1 / (i + 1)]);
        Charts.lines(document.getElementById('loss_chart'), [{ points, colour: '#000', label: 'long' }], { logY: true, axes: true });
        return 'drawn'; } catch (error) { return String(error); }";
    assert_eq!(browser.execute(drawn, vec![]).await.unwrap(), "drawn");

    // Clicks faster than the server answers: one training for the tab, which ❚❚ pauses.
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    let clicks = "for (let i = 0; i < 6; i++) document.getElementById('reset').click();
        document.querySelector('.column-head button[data-change=\"1\"]').click();
        document.querySelector('.column-head button[data-change=\"1\"]').click();";
    browser.execute(clicks, vec![]).await.unwrap();
    let epoch = "return Number(document.getElementById('epoch').textContent);";
    wait_for(&browser, "training after the clicks", Duration::from_secs(30), epoch, |v| {
        v.as_f64().filter(|&e| e > 0.0)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(trainings_running(&ui.url).len(), 1, "one training for one tab");
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let paused_at = browser.execute(epoch, vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(browser.execute(epoch, vec![]).await.unwrap(), paused_at, "❚❚ pauses");
    let layers = browser.execute(NODES_PER_LAYER, vec![]).await.unwrap();
    assert_eq!(layers, serde_json::json!([6, 2, 1, 0, 0, 0, 0]), "the two clicks on + of layer 1");

    // A link pasted into the open tab is followed, a learning rate the list lacks included.
    let pasted = "problem=xor&features=x1,x2&layers=5&learning_rate=0.05";
    browser.execute(&format!("location.hash = '{pasted}';"), vec![]).await.unwrap();
    let followed = "return [document.querySelector('.problem.selected').dataset.problem, document.getElementById('learning_rate').value,
        document.querySelectorAll('canvas.node[data-layer=\"0\"]').length];";
    wait_for(&browser, "the pasted link", Duration::from_secs(20), followed, |value| {
        (value == &serde_json::json!(["xor", "0.05", 5])).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(trainings_running(&ui.url).len(), 1, "the pasted link's training replaced the last one");

    // The diagram is the URL's, even when the server refuses it; adding a layer redraws it.
    open_playground(&browser, &ui.url, "problem=circle&features=x1,x2&layers=3,0").await;
    let error = shown_error(&browser, "a layer of 0 neurons").await;
    assert_eq!(error, "invalid network.layers[1]: must be at least 1, got 0");
    assert_eq!(browser.execute(NODES_PER_LAYER, vec![]).await.unwrap(), serde_json::json!([3, 0, 1, 0, 0, 0, 0]));
    browser.find(Locator::Id("add_layer")).await.unwrap().click().await.unwrap();
    wait_for(&browser, "the added layer drawn", Duration::from_secs(10), NODES_PER_LAYER, |value| {
        (value == &serde_json::json!([3, 0, 2, 1, 0, 0, 0])).then_some(())
    })
    .await;

    // Limits on layers and neurons hold for URLs; bad settings get the library's sentence.
    open_playground(&browser, &ui.url, "problem=circle&features=x1,x2&layers=200,200").await;
    let error = shown_error(&browser, "200 neurons").await;
    assert_eq!(error, "invalid network.layers[0]: the playground draws at most 8 neurons a layer, got 200");
    open_playground(&browser, &ui.url, "problem=circle&features=x1,x2&layers=4&seed=-5").await;
    let error = shown_error(&browser, "a negative seed").await;
    assert_eq!(error, "invalid seed: must be a whole number, 0 or more, got integer -5");

    // Divergence: stopped, with the epoch, the loss and what to try; numbers that fit.
    let diverging = "problem=sine&features=x1&layers=8,8&activation=relu&learning_rate=3&batch_size=10";
    open_playground(&browser, &ui.url, diverging).await;
    first_frame(&browser, "the sine").await;
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    let error = shown_error(&browser, "the divergence").await;
    assert!(error.contains("diverged at epoch") && error.contains("smaller learning rate"), "{error}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shown = "return ['test_loss', 'train_loss', 'steps_per_second', 'play'].map(id => document.getElementById(id).textContent);";
    let shown = browser.execute(shown, vec![]).await.unwrap();
    let shown: Vec<String> = serde_json::from_value(shown).unwrap();
    assert!(shown[..2].iter().all(|text| text.chars().count() <= 9), "{shown:?}");
    assert_eq!(shown[2..], ["0", "▶"], "stopped: no steps per second, ▶ to play");
    std::fs::write(browser::screenshot_folder().join("divergence.png"), browser.screenshot().await.unwrap()).unwrap();

    // Eight tabs following their trainings (this one, whose link changes, and seven more),
    // and the runs page still loads.
    browser.execute(&format!("location.hash = '{circle}';"), vec![]).await.unwrap();
    let problem = "return document.querySelector('.problem.selected').dataset.problem;";
    wait_for(&browser, "tab 1", Duration::from_secs(20), problem, |v| (v == "circle").then_some(())).await;
    // The trainings of the pages left above end once no page follows them (10 s).
    let started = std::time::Instant::now();
    while trainings_running(&ui.url).len() > 1 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "abandoned trainings kept: {:?}",
            trainings_running(&ui.url)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for tab in 1..8 {
        let window = browser.new_window(true).await.unwrap();
        browser.switch_to_window(window.handle).await.unwrap();
        browser.goto(&format!("{}#{circle}", ui.url)).await.unwrap();
        first_frame(&browser, &format!("tab {}", tab + 1)).await;
    }
    let window = browser.new_window(true).await.unwrap();
    browser.switch_to_window(window.handle).await.unwrap();
    browser.goto(&format!("{}runs", ui.url)).await.unwrap();
    let loaded = "return !document.getElementById('no_runs').hidden;";
    wait_for(&browser, "the runs page with eight tabs open", Duration::from_secs(20), loaded, |v| {
        (v == &serde_json::json!(true)).then_some(())
    })
    .await;

    browser.close().await.unwrap();
    ui.stop();
    drop(driver);
    std::fs::remove_dir_all(folder).unwrap();
}

/// Counts the changes of the equations panel over `seconds` of playing.
const EQUATION_CHANGES: &str = "const done = arguments[arguments.length - 1]; let changes = 0;
    const observer = new MutationObserver(() => changes++);
    observer.observe(document.getElementById('equations'), { childList: true });
    setTimeout(() => { observer.disconnect(); done(changes); }, arguments[0] * 1000);";

/// The share of the boundary map's pixels drawn in exactly the colour of −1 or of +1.
const SATURATED_SHARE: &str = "const canvas = document.getElementById('boundary');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const ends = [-1, 1].map(v => Charts.colour(0.6 * v).join(','));
    let saturated = 0; for (let i = 0; i < data.length; i += 4) if (ends.includes(`${data[i]},${data[i + 1]},${data[i + 2]}`)) saturated++;
    return saturated / (data.length / 4);";

#[tokio::test(flavor = "current_thread")]
async fn the_equations_tell_the_truth_and_tf_playground_s_pieces_are_there_in_chromium() {
    let Some(driver) = browser::driver("ui_browser_equations") else { return };
    let folder = scratch("ui-browser-equations");
    let ui = UiProcess::start(&folder);
    let browser = driver.browser().await;
    // A page of 1400 × 950 pixels: the window is that plus the browser's own bars.
    let bars = "return window.outerHeight - window.innerHeight;";
    let bars = browser.execute(bars, vec![]).await.unwrap().as_u64().unwrap() as u32;
    browser.set_window_size(1400, 950 + bars).await.unwrap();

    // Adam with an L2 penalty and dropout, two steps in: its rule with m, v, m̂, v̂, the next
    // batch's mean beside the point's gradient, the penalty, the mask, the loss in use.
    let adam = "problem=circle&features=x1,x2&layers=4,3&activation=tanh&learning_rate=0.03&optimizer=adam&batch_size=10&l2=0.001&dropout=0.3";
    open_playground(&browser, &ui.url, adam).await;
    first_frame(&browser, "the circle with Adam").await;
    for _ in 0..2 {
        browser.find(Locator::Id("step")).await.unwrap().click().await.unwrap();
    }
    // Two gradient steps, not epochs: the epoch's third batch is next, ringed on the map.
    let progress = "return [page.frame.steps, document.getElementById('epoch').textContent,
        document.getElementById('epoch_step').textContent, page.frame.trace.step.samples.length];";
    let drawn = serde_json::json!([2, "000000", "+ step 2/25", 10]);
    wait_for(&browser, "two steps drawn", Duration::from_secs(20), progress, |v| (*v == drawn).then_some(())).await;
    let hover = "document.querySelector('canvas.node[data-layer=\"1\"][data-neuron=\"1\"]').dispatchEvent(new MouseEvent('mouseenter'));";
    browser.execute(hover, vec![]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let equations = text_of(&browser, "equations").await;
    for expected in [
        "neuron 2 of hidden layer 2",
        "J = −[y ln a + (1 − y) ln(1 − a)]",
        "ã(1) = a(1) ⊙ r",
        "(dropout: p = 0.3",
        "m ← β1 m + (1 − β1) g",
        "m̂ = m / (1 − β1ᵗ)",
        "m = 0.9·",
        "t = 3",
        "this pointδ·ã(1)ₖ",
        "averaged over the next batch: the 10 points the training takes next in this epoch's shuffled order (ringed on the map",
        "batch mean∂J/∂wₖ",
        "g = mean+ 0.001 wₖ",
        "m̂",
        "v̂",
        "wₖafter",
    ] {
        assert!(equations.contains(expected), "{expected:?} missing from {equations}");
    }
    // The pointer leaving the neuron keeps its lines: crossing the network flashes nothing.
    browser.execute(&hover.replace("mouseenter", "mouseleave"), vec![]).await.unwrap();
    assert!(text_of(&browser, "equations").await.starts_with("neuron 2 of hidden layer 2"));
    // A negative factor is in parentheses: no "·-", no "+ -".
    assert!(!equations.contains("·-") && !equations.contains("+ -"), "{equations}");
    // In view on a 1400 × 950 screen, under the network, beside the output.
    let bottom = "return [document.getElementById('equations').getBoundingClientRect().bottom, window.innerHeight,
        document.querySelector('.column.output').getBoundingClientRect().right, window.innerWidth];";
    let [bottom, height, right, width]: [f64; 4] =
        serde_json::from_value(browser.execute(bottom, vec![]).await.unwrap()).unwrap();
    assert!(
        bottom <= height && right <= width,
        "the equations end at {bottom} px of {height}, the output at {right} of {width}"
    );
    std::fs::write(browser::screenshot_folder().join("equations.png"), browser.screenshot().await.unwrap()).unwrap();
    // The output neuron names the loss in use, and not a hedge.
    let output_node =
        "document.querySelector('canvas.node[data-layer=\"2\"]').dispatchEvent(new MouseEvent('mouseenter'));";
    browser.execute(output_node, vec![]).await.unwrap();
    let output = text_of(&browser, "equations").await;
    assert!(output.contains("δ(L) = a − y (σ′ cancels with the sigmoid's)") && !output.contains(" or MSE"), "{output}");
    // Two steps in, the map is pale: few pixels in either end's colour.
    let undiscretized = browser.execute(SATURATED_SHARE, vec![]).await.unwrap().as_f64().unwrap();

    // The walk's backward step writes ∂J/∂W(2) as a 3 × 4 matrix, the batch's mean beside it.
    for _ in 0..6 {
        browser.find(Locator::Id("walk")).await.unwrap().click().await.unwrap();
    }
    let walked = "return [document.getElementById('walk_state').textContent,
        [...document.querySelectorAll('#equations .matrix')].map(m => [m.querySelectorAll('.row').length, m.querySelector('.row').children.length])];";
    let walked = browser.execute(walked, vec![]).await.unwrap();
    assert_eq!(walked, serde_json::json!(["step 6 of 8", [[3, 1], [3, 4], [3, 4]]]), "δ(2), ∂J/∂W(2), its batch mean");
    for _ in 0..2 {
        browser.find(Locator::Id("walk")).await.unwrap().click().await.unwrap();
    }
    let update = text_of(&browser, "equations").await;
    assert!(update.contains("The update") && update.contains("W(1): ") && update.contains("m̂ / (√v̂ + ε)"), "{update}");
    browser.find(Locator::Id("walk")).await.unwrap().click().await.unwrap();

    // Playing, the panel changes at a rate one can read: at most two redraws a second.
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    let changes = browser.execute_async(EQUATION_CHANGES, vec![3.into()]).await.unwrap().as_u64().unwrap();
    assert!((1..=6).contains(&changes), "{changes} redraws of the equations in 3 s");
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();

    // Discretized output: the map in the two classes' colours; a legend says what they mean.
    browser.find(Locator::Id("discretize")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let discretized = browser.execute(SATURATED_SHARE, vec![]).await.unwrap().as_f64().unwrap();
    assert!(undiscretized < 0.3 && discretized > 0.7, "saturated pixels: {undiscretized} then {discretized}");
    let url = browser.current_url().await.unwrap();
    assert!(url.as_str().contains("discretize=true"), "{url}");
    let legend =
        "return ['legend_low', 'legend_middle', 'legend_high'].map(id => document.getElementById(id).textContent);";
    let legend = browser.execute(legend, vec![]).await.unwrap();
    assert_eq!(legend, serde_json::json!(["class 0 (a = 0)", "a = 0.5", "class 1 (a = 1)"]));

    // Eight inputs to the neuron hovered (all seven features, 8-8): the update table's last
    // row still in view on the 1400 × 950 page.
    let wide = "problem=spiral&features=x1,x2,x1_squared,x2_squared,x1_times_x2,sin_x1,sin_x2&layers=8,8&activation=tanh&optimizer=adam&l2=0.001&dropout=0.1";
    open_playground(&browser, &ui.url, wide).await;
    first_frame(&browser, "a neuron of eight inputs").await;
    let hover_second = "document.querySelector('canvas.node[data-layer=\"1\"][data-neuron=\"3\"]').dispatchEvent(new MouseEvent('mouseenter'));
        const rows = document.querySelectorAll('#equations table.update tr');
        return [rows.length, rows[rows.length - 1].getBoundingClientRect().bottom, window.innerHeight];";
    let [rows, bottom, height]: [f64; 3] =
        serde_json::from_value(browser.execute(hover_second, vec![]).await.unwrap()).unwrap();
    assert!(rows == 9.0 && bottom <= height, "the update table's {rows} rows end at {bottom} px of {height}");
    // With Levenberg–Marquardt, the same neuron's J and block of JᵀJ + λ + μ I as well: the first
    // parameters and b, the rest said to be left out, the whole panel in view (on the plane:
    // Levenberg–Marquardt fits least squares, without dropout).
    open_playground(
        &browser,
        &ui.url,
        &wide.replace("spiral", "plane").replace("adam&l2=0.001&dropout=0.1", "levenberg_marquardt&l2=0.001"),
    )
    .await;
    first_frame(&browser, "Levenberg–Marquardt with eight inputs").await;
    let panel = "document.querySelector('canvas.node[data-layer=\"1\"][data-neuron=\"3\"]').dispatchEvent(new MouseEvent('mouseenter'));
        return [document.getElementById('equations').getBoundingClientRect().bottom, window.innerHeight];";
    let [bottom, height]: [f64; 2] = serde_json::from_value(browser.execute(panel, vec![]).await.unwrap()).unwrap();
    let equations = text_of(&browser, "equations").await;
    assert!(
        bottom <= height,
        "Levenberg–Marquardt's panel at eight inputs ends at {bottom} px of {height}: {equations}"
    );
    for expected in ["block of JᵀJ + λ + μ I", "∂eᵢ/∂bⱼ", "⋯ 5 more"] {
        assert!(equations.contains(expected), "{expected:?} missing from {equations}");
    }
    std::fs::write(browser::screenshot_folder().join("levenberg-marquardt.png"), browser.screenshot().await.unwrap())
        .unwrap();
    // Levenberg–Marquardt's five settings keep the header on one row, as SGD's none do.
    let header = "return document.querySelector('header.bar').getBoundingClientRect().height;";
    // Its learning-rate select shows "—", not a greyed rate it does not use.
    let rate = "return document.getElementById('learning_rate').selectedOptions[0].textContent;";
    let mut heights = Vec::new();
    for (optimizer, shown) in [("sgd", "0.03"), ("levenberg_marquardt", "—")] {
        open_playground(&browser, &ui.url, &format!("problem=plane&optimizer={optimizer}&l2=0.001&dropout=0")).await;
        first_frame(&browser, optimizer).await;
        heights.push(browser.execute(header, vec![]).await.unwrap().as_f64().unwrap());
        assert_eq!(browser.execute(rate, vec![]).await.unwrap(), shown, "the learning rate with {optimizer}");
    }
    assert_eq!(heights[0], heights[1], "the header's height with sgd, then levenberg_marquardt");
    // Its Jacobian with numbers: three rows of J, the neuron's block of JᵀJ + λ + μ I, g and δ.
    let equations = text_of(&browser, "equations").await;
    for expected in ["J, one row per training point", "∂eᵢ/∂wⱼ1", "block of JᵀJ + λ + μ I (μ = ", "w ← w − δ"]
    {
        assert!(equations.contains(expected), "{expected:?} missing from {equations}");
    }
    // Back to SGD, the rate it had comes back.
    let sgd = "const optimizer = document.getElementById('optimizer');
        optimizer.value = 'sgd'; optimizer.dispatchEvent(new Event('change'));";
    browser.execute(sgd, vec![]).await.unwrap();
    wait_for(&browser, "the learning rate back", Duration::from_secs(5), rate, |v| (v == "0.03").then_some(())).await;

    // The sine: x₁'s features only, its points as values (grey, at (x, y)), no class legend.
    let sine = "problem=sine&features=x1&layers=4&activation=tanh&learning_rate=0.03";
    open_playground(&browser, &ui.url, sine).await;
    first_frame(&browser, "the sine").await;
    let features =
        "return [...document.querySelectorAll('canvas.node[data-feature]')].map(n => n.dataset.feature).join(',');";
    assert_eq!(browser.execute(features, vec![]).await.unwrap(), "x1,x1_squared,sin_x1");
    let equations = text_of(&browser, "equations").await;
    assert!(equations.contains("point x = ") && !equations.contains("point x = ("), "x₁ alone: {equations}");
    let drawn = "const canvas = document.getElementById('boundary'); const context = canvas.getContext('2d');
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        const orange = Charts.colour(-0.6), blue = Charts.colour(0.6);
        let classes = 0, values = 0;
        for (let i = 0; i < data.length; i += 4) {
          const c = [data[i], data[i + 1], data[i + 2]].join(',');
          if (c === orange.join(',') || c === blue.join(',')) classes++;
          if (c === '102,102,102') values++;
        }
        return [classes, values > 200, document.getElementById('legend').hidden];";
    let drawn = browser.execute(drawn, vec![]).await.unwrap();
    assert_eq!(drawn, serde_json::json!([0, true, true]), "no class colours, grey points, no legend");

    browser.close().await.unwrap();
    ui.stop();
    drop(driver);
    std::fs::remove_dir_all(folder).unwrap();
}

/// The page's latest frame, as the page holds it.
async fn page_frame(browser: &Client) -> serde_json::Value {
    browser.execute("return page.frame;", vec![]).await.unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_running_training_is_watched_slowly_changed_and_edited_in_chromium() {
    let Some(driver) = browser::driver("ui_browser_changes") else { return };
    let folder = scratch("ui-browser-changes");
    let ui = UiProcess::start(&folder);
    let browser = driver.browser().await;
    // Screenshots to look at, not the guide's (docs/ui.md): under target/ whatever
    // NEURONE_UI_SCREENSHOTS says.
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ui-screenshots/changes");
    std::fs::create_dir_all(&shots).unwrap();
    let epoch = "return Number(document.getElementById('epoch').textContent);";

    // The default speed, 5 epochs a second: the circle is learnt over several seconds.
    open_playground(&browser, &ui.url, "").await;
    first_frame(&browser, "the circle").await;
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    for second in [1, 2, 4, 8] {
        tokio::time::sleep(Duration::from_secs(if second <= 2 { 1 } else { second / 2 })).await;
        let (at, accuracy) = (browser.execute(epoch, vec![]).await.unwrap(), text_of(&browser, "test_accuracy").await);
        println!("default speed, after {second} s: epoch {at}, test accuracy {accuracy}");
        std::fs::write(shots.join(format!("circle-{second}s.png")), browser.screenshot().await.unwrap()).unwrap();
    }
    let at = browser.execute(epoch, vec![]).await.unwrap().as_f64().unwrap();
    assert!((1.0..=8.0 * 5.0 + 5.0).contains(&at), "8 s at 5 epochs a second: epoch {at}");
    assert_eq!(text_of(&browser, "speed_value").await, "5 epochs/s");

    // A new learning rate: the same training goes on from its epoch and weights, and the loss
    // chart marks the change.
    let ids = trainings_running(&ui.url);
    let before = browser.execute(epoch, vec![]).await.unwrap().as_f64().unwrap();
    let choose = "const select = document.getElementById('learning_rate'); select.value = '0.3';
        select.dispatchEvent(new Event('change'));";
    browser.execute(choose, vec![]).await.unwrap();
    let marked = wait_for(&browser, "the change marked", Duration::from_secs(10), "return page.frame.changes;", |v| {
        v.as_array().filter(|changes| !changes.is_empty()).cloned()
    })
    .await;
    assert_eq!(marked[0][1], "η 0.03 → 0.3");
    assert!(marked[0][0].as_f64().unwrap() >= before, "changed at epoch {} after epoch {before}", marked[0][0]);
    assert_eq!(trainings_running(&ui.url), ids, "the same training, not a new one");
    wait_for(&browser, "training on", Duration::from_secs(10), epoch, |v| v.as_f64().filter(|&e| e > before + 3.0))
        .await;
    assert!(
        browser.execute("return location.hash;", vec![]).await.unwrap().as_str().unwrap().contains("learning_rate=0.3")
    );

    // A link's weight set by hand: the next frames start from it.
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser.execute("document.querySelector('svg.links line.hit[data-layer=\"0\"][data-index=\"1\"]').dispatchEvent(new MouseEvent('click', { clientX: 400, clientY: 300 }));", vec![]).await.unwrap();
    // The editor opens on the weight's value, selected: typing replaces it, Enter sets it.
    let editor = browser.find(Locator::Css("#weight_editor input")).await.unwrap();
    editor.send_keys("3\u{e007}").await.unwrap();
    wait_for(&browser, "the weight set", Duration::from_secs(10), "return page.frame.weights[0][1];", |v| {
        (v.as_f64() == Some(3.0)).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    std::fs::write(shots.join("changed.png"), browser.screenshot().await.unwrap()).unwrap();
    let frame = page_frame(&browser).await;
    assert!(frame["changes"][1][1].as_str().unwrap().starts_with("W(1)[1,2] "), "{}", frame["changes"]);
    let listed = text_of(&browser, "changes").await;
    assert!(listed.contains("η 0.03 → 0.3") && listed.contains("W(1)[1,2]"), "{listed}");
    browser.find(Locator::Id("step")).await.unwrap().click().await.unwrap();
    let stepped = "return [page.frame.steps, page.frame.weights[0][1]];";
    let [steps, weight] =
        wait_for(&browser, "one step from the edited weight", Duration::from_secs(10), stepped, |v| {
            let [steps, weight] = [v[0].as_f64()?, v[1].as_f64()?];
            (steps > frame["steps"].as_f64()?).then_some([steps, weight])
        })
        .await;
    assert_eq!(steps, frame["steps"].as_f64().unwrap() + 1.0, "+1 is one gradient step");
    assert!(weight != 3.0 && (weight - 3.0).abs() < 0.5, "one step away from 3: {weight}");

    // The slider's ends: one step a second (one a frame), and full speed; both in the URL.
    let slide = "const s = document.getElementById('speed'); s.value = arguments[0] === 'max' ? s.max : 0;
        s.dispatchEvent(new Event('input')); return [document.getElementById('speed_value').textContent, location.hash];";
    let slowest = browser.execute(slide, vec!["min".into()]).await.unwrap();
    assert_eq!(slowest[0], "1 step/s");
    assert!(slowest[1].as_str().unwrap().contains("speed=1step"), "{slowest}");
    let steps_before = page_frame(&browser).await["steps"].as_u64().unwrap();
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    browser.find(Locator::Id("play")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // A step at once, then one a second at most: a loaded machine may take fewer, never more.
    let taken = page_frame(&browser).await["steps"].as_u64().unwrap() - steps_before;
    assert!((1..=5).contains(&taken), "{taken} steps in 3 s at 1 a second");
    let fastest = browser.execute(slide, vec!["max".into()]).await.unwrap();
    assert_eq!(fastest[0], "full speed");
    assert!(fastest[1].as_str().unwrap().contains("speed=max"), "{fastest}");
    // An old link's speed in epochs a second still loads, and a link's steps a second.
    for (speed, shown) in [("20", "20 epochs/s"), ("5steps", "5 steps/s"), ("fast", "5 epochs/s")] {
        open_playground(&browser, &ui.url, &format!("speed={speed}")).await;
        first_frame(&browser, speed).await;
        assert_eq!(text_of(&browser, "speed_value").await, shown, "speed={speed}");
    }
    // A link's speed the server refuses is said (it used to leave the training at full speed,
    // silently).
    open_playground(&browser, &ui.url, "speed=0").await;
    let error = shown_error(&browser, "speed=0").await;
    assert!(error.contains("invalid epochs_per_second: must be a positive number, got 0"), "{error}");

    // A lesson's link hides the controls it names.
    open_playground(&browser, &ui.url, "problem=xor&hide=optimizer,regularisation,speed").await;
    first_frame(&browser, "the lesson").await;
    let shown = "return ['optimizer', 'l1', 'dropout', 'speed', 'learning_rate', 'activation']
        .map(id => document.getElementById(id).offsetParent !== null);";
    let shown = browser.execute(shown, vec![]).await.unwrap();
    assert_eq!(shown, serde_json::json!([false, false, false, false, true, true]));
    std::fs::write(shots.join("lesson.png"), browser.screenshot().await.unwrap()).unwrap();

    // Rprop and Levenberg–Marquardt choose each step themselves (the catalog says so): η is
    // disabled, its label saying why; SGD's is not.
    let learning_rate = "const select = document.getElementById('learning_rate');
        return [select.disabled, select.parentElement.title];";
    for (optimizer, ignored) in [("rprop", true), ("levenberg_marquardt", true), ("sgd", false)] {
        open_playground(&browser, &ui.url, &format!("optimizer={optimizer}")).await;
        first_frame(&browser, optimizer).await;
        let [disabled, why] =
            browser.execute(learning_rate, vec![]).await.unwrap().as_array().unwrap().clone().try_into().unwrap();
        assert_eq!(disabled, ignored, "{optimizer}");
        assert_eq!(why.as_str().unwrap().contains("no learning rate"), ignored, "{optimizer}: {why}");
    }

    browser.close().await.unwrap();
    ui.stop();
    drop(driver);
    std::fs::remove_dir_all(folder).unwrap();
}
