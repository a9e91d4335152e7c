//! Downloading over HTTP(S) with `ureq`, a small blocking client (the `download` feature).

use std::io::Read;
use std::time::Duration;

use super::Fetch;
use crate::Error;

/// Fetches URLs over HTTP or HTTPS (rustls, with the Mozilla root certificates).
#[derive(Debug)]
pub struct HttpFetch {
    agent: ureq::Agent,
}

impl HttpFetch {
    /// A client that gives up after 30 s without a connection or 60 s without data.
    /// Proxies named by the usual environment variables (`HTTPS_PROXY`, `NO_PROXY`, …) are used.
    pub fn new() -> Self {
        Self::with_config(ureq::Agent::config_builder())
    }

    /// A client that ignores proxy settings, for the tests' loopback server.
    #[cfg(test)]
    fn direct() -> Self {
        Self::with_config(ureq::Agent::config_builder().proxy(None))
    }

    fn with_config(config: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>) -> Self {
        let config = config
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_per_read(Some(Duration::from_secs(60)))
            .build();
        Self { agent: ureq::Agent::new_with_config(config) }
    }
}

impl Default for HttpFetch {
    fn default() -> Self {
        Self::new()
    }
}

impl Fetch for HttpFetch {
    fn fetch(&self, url: &str, limit: u64, progress: &mut dyn FnMut(u64, Option<u64>)) -> Result<Vec<u8>, Error> {
        let failed = |reason: String| Error::Download { url: url.to_string(), reason };
        let mut response = self.agent.get(url).call().map_err(|error| failed(error.to_string()))?;
        let total = response.body().content_length();
        if let Some(total) = total.filter(|&total| total > limit) {
            return Err(failed(format!("the server announces {total} bytes, more than the expected {limit}")));
        }
        let mut reader = response.body_mut().with_config().limit(limit).reader();
        let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
        let mut chunk = vec![0; 1 << 16];
        loop {
            let read = reader.read(&mut chunk).map_err(|error| failed(error.to_string()))?;
            if read == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..read]);
            progress(bytes.len() as u64, total);
        }
        if let Some(total) = total.filter(|&total| total != bytes.len() as u64) {
            return Err(failed(format!("the connection closed after {} of {total} bytes", bytes.len())));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;

    use super::*;

    /// Serves one HTTP response on a loopback port, returning the URL to fetch.
    fn serve_once(response: Vec<u8>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(&response);
        });
        format!("http://{address}/file.csv")
    }

    fn ok_response(body: &[u8]) -> Vec<u8> {
        let mut response =
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
        response.extend_from_slice(body);
        response
    }

    #[test]
    fn downloads_a_body_reporting_progress() {
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let url = serve_once(ok_response(&body));
        let mut reports = Vec::new();
        let fetched =
            HttpFetch::direct().fetch(&url, 1 << 20, &mut |received, total| reports.push((received, total))).unwrap();
        assert_eq!(fetched, body);
        assert_eq!(reports.last(), Some(&(200_000, Some(200_000))));
        assert!(reports.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn a_data_source_downloads_through_http_and_stores_the_file() {
        let content = b"age,charges\n19,16884.924\n".to_vec();
        let url = serve_once(ok_response(&content));
        let folder = std::env::temp_dir().join(format!("neurone-http-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let file = crate::datasets::RemoteFile {
            name: "tiny.csv".into(),
            url,
            sha256: "f54043a77c96fa74d4bb032aede4c0aa8dea5ce88da7adfbbf1866ed771bbaa2".into(),
            size: content.len() as u64,
            gzipped: false,
        };
        let source = crate::datasets::DataSource::new(&folder).with_fetcher(HttpFetch::direct());
        let result = source.load(&file);
        let stored = std::fs::read(folder.join("tiny.csv"));
        let _ = std::fs::remove_dir_all(&folder);
        assert_eq!(result.unwrap().bytes, content);
        assert_eq!(stored.unwrap(), content);
    }

    #[test]
    fn a_body_over_the_limit_or_an_http_error_is_refused() {
        let url = serve_once(ok_response(&[7; 100]));
        let error = HttpFetch::direct().fetch(&url, 10, &mut |_, _| {}).unwrap_err();
        assert!(error.to_string().contains("announces 100 bytes, more than the expected 10"), "{error}");
        let url = serve_once(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec());
        let error = HttpFetch::direct().fetch(&url, 10, &mut |_, _| {}).unwrap_err();
        assert!(error.to_string().starts_with(&format!("cannot download {url}: ")), "{error}");
        assert!(error.to_string().contains("404"), "{error}");
    }
}
