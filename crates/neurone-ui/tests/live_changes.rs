//! A training is changed while it runs, through the HTTP API as the page does: its speed (in
//! epochs or in steps a second), its settings (the learning rate goes on from where it is, the architecture asks for a new
//! training) and one of its weights.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{TestServer, playground, scratch};

/// The training's latest frame, read from its event stream.
fn frame(server: &TestServer, id: u64) -> serde_json::Value {
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "GET /api/trainings/{id}/events HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).unwrap();
    let mut line = String::new();
    let mut reader = BufReader::new(stream);
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream ended");
        if let Some(json) = line.strip_prefix("data: ") {
            return serde_json::from_str(json).unwrap();
        }
    }
}

fn control(server: &TestServer, id: u64, json: &str) -> (u16, String) {
    server.send("POST", &format!("/api/trainings/{id}/control"), json)
}

#[test]
fn speed_settings_and_weights_change_a_running_training() {
    let server = TestServer::start(&scratch("live-changes"));
    let request = playground("circle", "[4, 2]");
    let (status, body) = server.send("POST", "/api/trainings", &request);
    assert_eq!(status, 200, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"].as_u64().unwrap();

    // Paced: at 10 epochs a second, 2 s of playing train 20 epochs, however fast the machine
    // (a loaded one trains fewer), where full speed trains thousands.
    assert_eq!(control(&server, id, r#"{"action":"speed","epochs_per_second":10}"#).0, 204);
    assert_eq!(control(&server, id, r#"{"action":"play"}"#).0, 204);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(control(&server, id, r#"{"action":"pause"}"#).0, 204);
    std::thread::sleep(Duration::from_millis(300));
    let epoch = frame(&server, id)["epoch"].as_u64().unwrap();
    assert!((1..=25).contains(&epoch), "{epoch} epochs in 2 s at 10 a second");
    let (status, body) = control(&server, id, r#"{"action":"speed","epochs_per_second":0}"#);
    assert_eq!(
        (status, body.as_str()),
        (400, r#"{"error":"invalid epochs_per_second: must be a positive number, got 0"}"#)
    );
    let (status, body) = control(&server, id, r#"{"action":"speed","epochs_per_second":1,"steps_per_second":1}"#);
    assert_eq!(
        (status, body.as_str()),
        (400, r#"{"error":"invalid speed: give epochs_per_second or steps_per_second, not both"}"#)
    );

    // At 2 steps a second, one step a frame: 2 s of playing take 1 to 5 steps (a frame at
    // once, then one every 0.5 s at most), and the epoch (10 steps of 10 points) is left in
    // the middle, its progress in the frame.
    let before = frame(&server, id);
    assert_eq!(control(&server, id, r#"{"action":"speed","steps_per_second":2}"#).0, 204);
    assert_eq!(control(&server, id, r#"{"action":"play"}"#).0, 204);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(control(&server, id, r#"{"action":"pause"}"#).0, 204);
    std::thread::sleep(Duration::from_millis(300));
    let slow = frame(&server, id);
    let steps = slow["steps"].as_u64().unwrap() - before["steps"].as_u64().unwrap();
    assert!((1..=5).contains(&steps), "{steps} steps in 2 s at 2 a second");
    let stepped_in_epoch = |frame: &serde_json::Value| frame["epoch_samples"][0].as_u64().unwrap();
    let start = stepped_in_epoch(&before);
    assert_eq!(slow["epoch_samples"][1], 100);
    assert_eq!((stepped_in_epoch(&slow) + 100 - start) % 100, steps * 10, "{slow}");

    // A new learning rate goes on from the epoch reached; new layers need a new training.
    let settings = format!("/api/trainings/{id}/settings");
    assert_eq!(server.send("POST", &settings, &request.replace("0.03", "0.3")).0, 204);
    let (status, body) = server.send("POST", &settings, &request.replace("[4, 2]", "[4, 3]"));
    assert_eq!((status, body.as_str()), (409, r#"{"error":"network.layers changed: a new training starts"}"#));
    let (status, body) = server.send("POST", &settings, &request.replace("0.03", "-1"));
    assert_eq!(
        (status, body.as_str()),
        (400, r#"{"error":"invalid training.learning_rate: must be a positive number, got -1"}"#)
    );
    // One step, the one the equations showed: its batch is where the epoch stood.
    let shown = slow["trace"]["step"]["samples"].as_array().unwrap().len();
    assert_eq!(control(&server, id, r#"{"action":"step"}"#).0, 204);
    std::thread::sleep(Duration::from_millis(300));
    let stepped = frame(&server, id);
    assert_eq!(stepped["steps"].as_u64(), Some(slow["steps"].as_u64().unwrap() + 1));
    assert_eq!((stepped_in_epoch(&stepped) + 100 - stepped_in_epoch(&slow)) % 100, shown as u64);
    let epoch = slow["epoch"].as_u64().unwrap();
    assert_eq!(stepped["changes"], serde_json::json!([[epoch, "η 0.03 → 0.3"]]));

    // A weight set by hand is the network's.
    assert_eq!(control(&server, id, r#"{"action":"set_weight","layer":0,"index":1,"value":2.5}"#).0, 204);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(frame(&server, id)["weights"][0][1], 2.5);
    let (status, body) = control(&server, id, r#"{"action":"set_weight","layer":0,"index":8,"value":1}"#);
    assert_eq!((status, body.as_str()), (400, r#"{"error":"invalid index: layer 0 has 8 weights"}"#));
}
