//! A page's WebSocket that goes away without a close frame still lets its training end: the
//! connection dropped (a tab killed) and the peer silent on an open connection (a laptop put to
//! sleep, a network gone) are both noticed, and the training is ended as one nobody follows.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{TestServer, playground, scratch};
use neurone_ui::playground::{ABANDONED_AFTER, SILENT_PEER_AFTER};

/// Starts a training of the circle, playing when `play`, and returns its id.
fn start(server: &TestServer, play: bool) -> u64 {
    let (status, body) = server.send("POST", "/api/trainings", &playground("circle", "[4]"));
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = answer["id"].as_u64().unwrap();
    if play {
        assert_eq!(server.send("POST", &format!("/api/trainings/{id}/control"), r#"{"action":"play"}"#).0, 204);
    }
    id
}

/// Opens training `id`'s WebSocket as a browser does and reads the server's first frame, a
/// text frame of the training's JSON; returns the connection.
fn open_socket(address: SocketAddr, id: u64) -> TcpStream {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "GET /api/trainings/{id}/socket HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0];
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    let (kind, frame) = read_frame(&mut stream).expect("a first frame");
    assert_eq!(kind, 0x81, "a whole text frame");
    assert!(frame.starts_with(b"{\"epoch\""), "{}", String::from_utf8_lossy(&frame));
    stream
}

/// The next frame from the server: its first byte (FIN and opcode) and its payload (server
/// frames are not masked). `None` if none came within the stream's read timeout.
fn read_frame(stream: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0; 2];
    match stream.read_exact(&mut head) {
        Ok(()) => {}
        Err(error) if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
            return None;
        }
        Err(error) => panic!("the socket failed: {error}"),
    }
    let mut rest = |bytes: usize| {
        let mut read = vec![0; bytes];
        stream.read_exact(&mut read).unwrap();
        read
    };
    let length = match head[1] & 0x7f {
        126 => u64::from(u16::from_be_bytes(rest(2).try_into().unwrap())),
        127 => u64::from_be_bytes(rest(8).try_into().unwrap()),
        short => u64::from(short),
    };
    Some((head[0], rest(length as usize)))
}

/// Reads the server's frames for `duration`, answering each ping with its pong as a browser
/// does (client frames are masked; a mask of zeros leaves the payload as it is).
fn answer_pings_for(stream: &mut TcpStream, duration: Duration) {
    let started = Instant::now();
    stream.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    while started.elapsed() < duration {
        if let Some((0x89, payload)) = read_frame(stream) {
            let mut pong = vec![0x8a, 0x80 | payload.len() as u8, 0, 0, 0, 0];
            pong.extend_from_slice(&payload);
            stream.write_all(&pong).unwrap();
        }
    }
}

/// Whether training `id` is still running, as `GET /api/trainings` lists it.
fn running(server: &TestServer, id: u64) -> bool {
    let (status, body) = server.get("/api/trainings");
    assert_eq!(status, 200);
    serde_json::from_str::<Vec<u64>>(&body).unwrap().contains(&id)
}

/// Waits for training `id` to end, for at most `limit`: how long it took.
fn ended_within(server: &TestServer, id: u64, limit: Duration) -> Duration {
    let started = Instant::now();
    while running(server, id) {
        assert!(started.elapsed() < limit, "training {id} still runs after {limit:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
    started.elapsed()
}

#[test]
fn a_socket_dropped_without_a_close_frame_ends_its_training() {
    let server = TestServer::start(&scratch("socket-dropped"));
    let address = server.address;
    let server = &server;
    std::thread::scope(|scope| {
        for play in [false, true] {
            let id = start(server, play);
            scope.spawn(move || {
                let mut socket = open_socket(address, id);
                // Followed by a peer that answers: kept past the times a training nobody
                // follows, and a silent peer, are kept.
                answer_pings_for(&mut socket, SILENT_PEER_AFTER.max(ABANDONED_AFTER) + Duration::from_secs(3));
                assert!(running(server, id), "a followed training (playing: {play}) was ended");
                // The connection closed as a killed tab's is, without a WebSocket close frame.
                drop(socket);
                ended_within(server, id, ABANDONED_AFTER + Duration::from_secs(5));
            });
        }
    });
}

#[test]
fn a_silent_peer_on_an_open_connection_ends_its_training() {
    let server = TestServer::start(&scratch("socket-silent"));
    // Paused, the server has nothing to send; playing, it sends frames nobody reads.
    let ids = [start(&server, false), start(&server, true)];
    let sockets: Vec<TcpStream> = ids.iter().map(|&id| open_socket(server.address, id)).collect();
    // The connections stay open but nothing is read or answered (no pong) from now on.
    for id in ids {
        ended_within(&server, id, SILENT_PEER_AFTER + ABANDONED_AFTER + Duration::from_secs(5));
    }
    drop(sockets);
}
