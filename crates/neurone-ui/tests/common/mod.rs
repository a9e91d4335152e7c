//! A `neurone ui` server run in the test's process on a free loopback port, and a plain HTTP
//! client that sends exactly the bytes it is given (paths with `..`, foreign `Host` headers),
//! which a client library would normalise or refuse to send.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A client of a server at a known address (for threads that do not own the server).
pub struct TestServerAt(pub SocketAddr);

impl TestServerAt {
    /// `GET path` with the server's own Host: the status and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        raw(self.0, &format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.0))
    }
}

/// Sends `request` as it is to `address`, adding nothing, and returns the status and the body.
pub fn raw(address: SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or(String::new(), |(_, body)| body.to_owned());
    (status, body)
}

/// A server on 127.0.0.1, stopped when dropped.
pub struct TestServer {
    pub address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Serves the runs of `runs`.
    pub fn start(runs: &Path) -> Self {
        let options = neurone_ui::Options { runs: runs.to_path_buf(), port: 0, ..Default::default() };
        let server = neurone_ui::Server::bind(&options).expect("a free loopback port");
        let address = server.address();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            server.run_until(async move {
                let _ = stopped.await;
            })
        });
        Self { address, stop: Some(stop), thread: Some(thread) }
    }

    /// Sends `request` as it is, adding nothing, and returns the status and the body.
    pub fn raw(&self, request: &str) -> (u16, String) {
        raw(self.address, request)
    }

    /// `GET path` with the server's own Host.
    pub fn get(&self, path: &str) -> (u16, String) {
        TestServerAt(self.address).get(path)
    }

    /// `METHOD path` with a JSON body and the server's own Host.
    pub fn send(&self, method: &str, path: &str, json: &str) -> (u16, String) {
        self.raw(&format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            self.address,
            json.len()
        ))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server thread ends").expect("the server stops cleanly");
        }
    }
}

/// A fresh folder under the system's temporary folder, named after `test`.
pub fn scratch(test: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("neurone-ui-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// A playground request for `problem` with hidden `layers`.
pub fn playground(problem: &str, layers: &str) -> String {
    format!(
        r#"{{"problem":"{problem}","train_ratio":0.5,"samples":200,"seed":1,"features":["x1","x2"],"network":{{"layers":{layers}}},"training":{{"learning_rate":0.03,"batch_size":10}}}}"#
    )
}
