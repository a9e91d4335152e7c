//! Requests from anywhere but the server's own pages are refused: a `Host` that is not the
//! address the server listens on (DNS rebinding: a hostile name resolving to 127.0.0.1) and an
//! `Origin` or `Sec-Fetch-Site` of another site (cross-site requests from a page elsewhere).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The `Host` values a request may name: with the port listened on, `localhost` and the
/// address listened on (for an unspecified address such as 0.0.0.0, any IP address: a DNS
/// rebinding attack needs a name, never an IP literal).
#[derive(Clone, Debug)]
pub struct AllowedHosts {
    address: std::net::SocketAddr,
}

impl AllowedHosts {
    /// The names of `address`.
    pub fn of(address: std::net::SocketAddr) -> Self {
        Self { address }
    }

    /// Whether `host` (a `Host` header: `name:port`, `[v6]:port`) names this server.
    fn names_this_server(&self, host: &str) -> bool {
        let Some((name, port)) = host.rsplit_once(':') else { return false };
        if port.parse() != Ok(self.address.port()) {
            return false;
        }
        let name = name.trim_start_matches('[').trim_end_matches(']');
        let listened = self.address.ip();
        match name.parse::<std::net::IpAddr>() {
            Ok(ip) => ip == listened || listened.is_unspecified() || (listened.is_loopback() && ip.is_loopback()),
            Err(_) => name.eq_ignore_ascii_case("localhost") && (listened.is_loopback() || listened.is_unspecified()),
        }
    }

    /// Why `headers` are refused, if they are: a `Host` that does not name this server, an
    /// `Origin` other than the page's own (`http://` and that host), a cross-site fetch.
    pub fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let text = |name| headers.get(name).map(|value| value.to_str().unwrap_or("(not text)"));
        let host = match text(header::HOST) {
            Some(host) if self.names_this_server(host) => host,
            Some(host) => return Some(format!("Host {host} is not this server ({})", self.address)),
            None => return Some("a Host header is required".into()),
        };
        if let Some(origin) = text(header::ORIGIN)
            && !origin.eq_ignore_ascii_case(&format!("http://{host}"))
        {
            return Some(format!("requests from {origin} are refused"));
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
        // The page's origin is its own host: one host's page cannot post as another.
        assert!(
            allowed.refusal(&headers(&[("host", "127.0.0.1:8000"), ("origin", "http://localhost:8000")])).is_some()
        );
    }

    #[test]
    fn on_every_interface_ip_addresses_pass_and_names_other_than_localhost_do_not() {
        let allowed = AllowedHosts::of("0.0.0.0:8000".parse().unwrap());
        assert_eq!(allowed.refusal(&headers(&[("host", "192.0.2.7:8000"), ("origin", "http://192.0.2.7:8000")])), None);
        assert_eq!(allowed.refusal(&headers(&[("host", "[2001:db8::1]:8000")])), None);
        assert!(allowed.refusal(&headers(&[("host", "rebind.example:8000")])).is_some());
        let one = AllowedHosts::of("192.0.2.7:8000".parse().unwrap());
        assert!(one.refusal(&headers(&[("host", "192.0.2.8:8000")])).is_some());
        assert!(one.refusal(&headers(&[("host", "localhost:8000")])).is_some());
    }
}
