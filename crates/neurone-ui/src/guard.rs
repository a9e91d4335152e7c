//! Requests from anywhere but the server's own pages are refused: a `Host` that is not the
//! address the server listens on (DNS rebinding: a hostile name resolving to 127.0.0.1) and an
//! `Origin` or `Sec-Fetch-Site` of another site (cross-site requests from a page elsewhere).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The `host:port` values a request may name: the address listened on, and `localhost:port`
/// when that address is a loopback one.
#[derive(Clone, Debug)]
pub struct AllowedHosts(pub Vec<String>);

impl AllowedHosts {
    /// The names of `address`.
    pub fn of(address: std::net::SocketAddr) -> Self {
        let port = address.port();
        let mut hosts = vec![address.to_string()];
        if address.ip().is_loopback() {
            hosts.push(format!("localhost:{port}"));
            hosts.push(format!("127.0.0.1:{port}"));
        }
        Self(hosts)
    }

    /// Why `headers` are refused, if they are.
    pub fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let text = |name| headers.get(name).map(|value| value.to_str().unwrap_or("(not text)"));
        match text(header::HOST) {
            Some(host) if self.0.iter().any(|allowed| allowed.eq_ignore_ascii_case(host)) => {}
            Some(host) => return Some(format!("Host {host} is not this server ({})", self.0[0])),
            None => return Some("a Host header is required".into()),
        }
        if let Some(origin) = text(header::ORIGIN) {
            let own = self.0.iter().any(|allowed| origin.eq_ignore_ascii_case(&format!("http://{allowed}")));
            if !own {
                return Some(format!("requests from {origin} are refused"));
            }
        }
        if text("sec-fetch-site".parse().expect("a header name")) == Some("cross-site") {
            return Some("cross-site requests are refused".into());
        }
        None
    }
}

/// The middleware: a refused request gets 403 and a one-line reason.
pub async fn same_origin_only(State(allowed): State<AllowedHosts>, request: Request, next: Next) -> Response {
    match allowed.refusal(request.headers()) {
        Some(reason) => (StatusCode::FORBIDDEN, reason).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(name, value)| (name.parse().unwrap(), value.parse().unwrap())).collect()
    }

    #[test]
    fn only_the_server_s_own_host_and_origin_pass() {
        let allowed = AllowedHosts::of("127.0.0.1:8000".parse().unwrap());
        assert_eq!(allowed.refusal(&headers(&[("host", "localhost:8000")])), None);
        assert_eq!(allowed.refusal(&headers(&[("host", "127.0.0.1:8000"), ("origin", "http://127.0.0.1:8000")])), None);
        assert!(allowed.refusal(&headers(&[("host", "evil.example:8000")])).is_some());
        assert!(allowed.refusal(&headers(&[("host", "127.0.0.1:8001")])).is_some());
        assert!(allowed.refusal(&headers(&[("host", "localhost:8000"), ("origin", "http://evil.example")])).is_some());
        assert!(allowed.refusal(&headers(&[("host", "localhost:8000"), ("sec-fetch-site", "cross-site")])).is_some());
        assert!(allowed.refusal(&headers(&[])).is_some());
    }
}
