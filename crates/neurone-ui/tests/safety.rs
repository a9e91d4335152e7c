//! The server reads nothing outside its runs folder, answers only requests addressed to itself,
//! and bounds what a page can start.

mod common;

use common::{TestServer, playground, scratch};

/// A runs folder with one run, a secret beside it, and a link from the run to the secret.
fn runs_with_a_secret_beside(test: &str) -> (std::path::PathBuf, TestServer) {
    let folder = scratch(test);
    let runs = folder.join("runs");
    std::fs::create_dir_all(runs.join("sine")).unwrap();
    std::fs::write(runs.join("sine/history.csv"), "epoch,train_loss\n1,0.5\n").unwrap();
    std::fs::write(runs.join("sine/config.toml"), "name = \"sine\"\n").unwrap();
    std::fs::write(folder.join("secret.csv"), "the secret\n").unwrap();
    std::os::unix::fs::symlink(folder.join("secret.csv"), runs.join("sine/linked.csv")).unwrap();
    std::os::unix::fs::symlink(&folder, runs.join("sine/parent")).unwrap();
    let server = TestServer::start(&runs);
    (folder, server)
}

#[test]
fn nothing_outside_the_runs_folder_can_be_read() {
    let (folder, server) = runs_with_a_secret_beside("outside");
    let (status, body) = server.get("/api/runs/files/sine/history.csv");
    assert_eq!((status, body.as_str()), (200, "epoch,train_loss\n1,0.5\n"));
    for path in [
        "/api/runs/files/../secret.csv",
        "/api/runs/files/sine/../../secret.csv",
        "/api/runs/files/%2e%2e/secret.csv",
        "/api/runs/files/%2E%2E%2Fsecret.csv",
        "/api/runs/files/sine%2F..%2F..%2Fsecret.csv",
        "/api/runs/files/sine/linked.csv",
        "/api/runs/files/sine/parent/secret.csv",
        "/api/runs/files/%2Fetc%2Fpasswd",
        "/api/runs/files//etc/passwd",
        "/api/runs/files/sine/.neurone.lock",
        "/api/runs/files/sine/config.toml%00.png",
    ] {
        let (status, body) = server.get(path);
        assert!(!body.contains("the secret") && !body.contains("root:"), "{path} gave {body}");
        assert!(status == 404 || status == 400, "{path}: {status} {body}");
    }
    // The listing does not follow the link out either.
    let (_, listing) = server.get("/api/runs");
    assert!(listing.contains("\"name\":\"sine\"") && !listing.contains("secret"), "{listing}");
    drop(server);
    std::fs::remove_dir_all(folder).unwrap();
}

#[test]
fn requests_not_addressed_to_the_server_are_refused() {
    let (folder, server) = runs_with_a_secret_beside("hosts");
    let port = server.address.port();
    let get = |headers: &str| server.raw(&format!("GET /api/runs HTTP/1.1\r\n{headers}Connection: close\r\n\r\n")).0;
    assert_eq!(get(&format!("Host: 127.0.0.1:{port}\r\n")), 200);
    assert_eq!(get(&format!("Host: localhost:{port}\r\n")), 200);
    // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1.
    assert_eq!(get(&format!("Host: rebind.example:{port}\r\n")), 403);
    assert_eq!(get(&format!("Host: 127.0.0.1:{}\r\n", port + 1)), 403);
    // A page elsewhere starting a training, or reading the runs.
    let json = playground("circle", "[2]");
    let cross_site = format!(
        "POST /api/trainings HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    assert_eq!(server.raw(&cross_site).0, 403);
    assert_eq!(get(&format!("Host: 127.0.0.1:{port}\r\nSec-Fetch-Site: cross-site\r\n")), 403);
    assert_eq!(get(&format!("Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n")), 200);
    drop(server);
    std::fs::remove_dir_all(folder).unwrap();
}

#[test]
fn sizes_and_counts_are_bounded_and_errors_are_the_library_s() {
    let folder = scratch("bounds");
    let server = TestServer::start(&folder);
    // 10⁹ parameters.
    let (status, body) = server.send("POST", "/api/trainings", &playground("circle", "[31623, 31623]"));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid network.layers: this network and its training would need"), "{body}");
    // A setting the library refuses, named from the request.
    let (status, body) = server.send("POST", "/api/trainings", &playground("circle", "[4, 0]"));
    assert_eq!((status, body.as_str()), (400, r#"{"error":"invalid network.layers[1]: must be at least 1, got 0"}"#));
    let (status, body) = server.send("POST", "/api/trainings", r#"{"problem": "moons"}"#);
    assert!(status == 400 && body.contains("unknown variant `moons`"), "{status} {body}");
    // A body far larger than any configuration.
    let (status, _) = server.send("POST", "/api/trainings", &format!("{{\"padding\": \"{}\"}}", "x".repeat(100_000)));
    assert_eq!(status, 413);
    // No more trainings at once than the limit.
    let started: Vec<String> = (0..neurone_ui::playground::MAX_TRAININGS)
        .map(|_| {
            let (status, body) = server.send("POST", "/api/trainings", &playground("xor", "[3]"));
            assert_eq!(status, 200, "{body}");
            body
        })
        .collect();
    let (status, body) = server.send("POST", "/api/trainings", &playground("xor", "[3]"));
    assert!(status == 429 && body.contains("trainings are running already"), "{status} {body}");
    // Ending one makes room for another.
    let id = started[0].split("\"id\":").nth(1).unwrap().split(|c: char| !c.is_ascii_digit()).next().unwrap();
    assert_eq!(server.send("DELETE", &format!("/api/trainings/{id}"), "").0, 204);
    assert_eq!(server.send("POST", "/api/trainings", &playground("xor", "[3]")).0, 200);
    drop(server);
    std::fs::remove_dir_all(folder).unwrap();
}
