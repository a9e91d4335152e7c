//! The server survives 50 clients at once, half of which vanish in the middle of an event
//! stream, and ends the trainings nobody follows any more. Loopback only, bounded in count and
//! time.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{TestServer, playground, scratch};
use neurone_ui::playground::{ABANDONED_AFTER, MAX_TRAININGS};

const CLIENTS: usize = 50;

/// Opens training `id`'s event stream and reads `frames` frames; then drops the connection
/// without a word (a closed tab), or reads on to the end of `linger`.
fn follow(address: std::net::SocketAddr, id: u64, frames: usize) -> usize {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "GET /api/trainings/{id}/events HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut reader = BufReader::new(stream);
    let (mut seen, mut line) = (0, String::new());
    while seen < frames {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        seen += usize::from(line.starts_with("data: {\"epoch\""));
    }
    seen
}

#[test]
fn fifty_clients_some_vanishing_mid_stream_and_the_server_goes_on() {
    let folder = scratch("load");
    let server = TestServer::start(&folder);
    let ids: Vec<u64> = (0..MAX_TRAININGS)
        .map(|_| {
            let (status, body) = server.send("POST", "/api/trainings", &playground("circle", "[8, 8]"));
            assert_eq!(status, 200, "{body}");
            let id = body.split("\"id\":").nth(1).unwrap().split(|c: char| !c.is_ascii_digit()).next().unwrap();
            let id: u64 = id.parse().unwrap();
            assert_eq!(server.send("POST", &format!("/api/trainings/{id}/control"), r#"{"action":"play"}"#).0, 204);
            id
        })
        .collect();

    let started = Instant::now();
    let address = server.address;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let id = ids[client % ids.len()];
            std::thread::spawn(move || match client % 3 {
                // Vanishes after the first frame.
                0 => follow(address, id, 1),
                // Follows for a while.
                1 => follow(address, id, 10),
                // Loads the pages and the runs.
                _ => {
                    let server = common::TestServerAt(address);
                    [server.get("/").0, server.get("/assets/playground.js").0, server.get("/api/runs").0]
                        .into_iter()
                        .filter(|&status| status == 200)
                        .count()
                }
            })
        })
        .collect();
    for (client, thread) in clients.into_iter().enumerate() {
        let done = thread.join().expect("a client thread");
        let expected = [1, 10, 3][client % 3];
        assert_eq!(done, expected, "client {client}");
    }
    assert!(started.elapsed() < Duration::from_secs(60), "50 clients took {:?}", started.elapsed());

    // Every client has gone: the trainings are ended, and room is made for new ones.
    std::thread::sleep(ABANDONED_AFTER + Duration::from_secs(3));
    for id in &ids {
        let (status, _) = server.send("POST", &format!("/api/trainings/{id}/control"), r#"{"action":"pause"}"#);
        assert_eq!(status, 404, "training {id} outlived its followers");
    }
    assert_eq!(server.send("POST", "/api/trainings", &playground("xor", "[3]")).0, 200);
    assert_eq!(server.get("/").0, 200);
    drop(server);
    std::fs::remove_dir_all(folder).unwrap();
}

/// The page reads what it may choose from the server, and each choice it is told of starts a
/// training: the catalog and `POST /api/trainings` agree.
#[test]
fn every_choice_the_catalog_offers_starts_a_training() {
    let server = TestServer::start(&scratch("catalog"));
    let (status, body) = server.get("/api/playground");
    assert_eq!(status, 200, "{body}");
    let catalog: serde_json::Value = serde_json::from_str(&body).unwrap();
    let tasks: Vec<(&str, &str)> = catalog["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| (problem["name"].as_str().unwrap(), problem["task"].as_str().unwrap()))
        .collect();
    assert_eq!(tasks.len(), 6);
    assert!(tasks.contains(&("sine", "regression")) && tasks.contains(&("spiral", "classification")), "{tasks:?}");
    let formulas: Vec<&str> =
        catalog["features"].as_array().unwrap().iter().map(|feature| feature["formula"].as_str().unwrap()).collect();
    assert!(formulas.contains(&"x₁²"), "{formulas:?}");
    let start = |network: &str, training: &str| {
        let request = format!(
            r#"{{"problem":"plane","noise":0,"train_ratio":0.5,"samples":40,"seed":1,"features":["x1","x2"],
                "network":{{"layers":[2]{network}}},"training":{{"batch_size":10{training}}}}}"#
        );
        let (status, body) = server.send("POST", "/api/trainings", &request);
        assert_eq!(status, 200, "{request}: {body}");
        let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["feature_maps"].as_array().unwrap().len(), formulas.len());
        server.send("DELETE", &format!("/api/trainings/{}", answer["id"]), "");
    };
    for activation in catalog["activations"].as_array().unwrap() {
        start(&format!(r#","activation":{activation}"#), "");
    }
    for init in catalog["initialisers"].as_array().unwrap() {
        start(&format!(r#","init":{init}"#), "");
    }
    for optimizer in catalog["optimizers"].as_array().unwrap() {
        start("", &format!(r#","optimizer":{{"kind":{optimizer}}}"#));
    }
}
