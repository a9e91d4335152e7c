//! # neurone-ui
//!
//! The web app behind `neurone ui`: a playground in the manner of TensorFlow Playground, where
//! networks of the [`neurone`] library train live in the server process while the page draws
//! their decision boundary, neurons, weights, losses and the course's equations with their
//! numbers; and a dashboard of the runs `neurone train` wrote.
//!
//! The server is axum on tokio; the pages, scripts and style are embedded in the binary
//! ([`assets`]), so it works offline. It listens on loopback unless told otherwise, answers
//! only requests addressed to itself ([`guard`]), reads nothing outside its runs folder
//! ([`runs`]), and bounds what a page may start ([`playground`]).
//!
//! ```no_run
//! let server = neurone_ui::Server::bind(&neurone_ui::Options::default())?;
//! println!("{}", server.url());
//! server.run_until_ctrl_c()?;
//! # Ok::<(), std::io::Error>(())
//! ```

#![warn(missing_docs)]

pub mod assets;
pub mod guard;
pub mod playground;
pub mod runs;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use axum::Router;
use axum::extract::DefaultBodyLimit;

/// The largest request body: a playground configuration is a few hundred bytes.
const MAX_BODY_BYTES: usize = 64 << 10;

/// Where the server listens and what it shows.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder of runs the runs page lists (`runs`).
    pub runs: PathBuf,
    /// The interface listened on: loopback (127.0.0.1) unless another is asked for.
    pub host: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
}

impl Default for Options {
    fn default() -> Self {
        Self { runs: PathBuf::from("runs"), host: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 8000 }
    }
}

/// A server bound to its address, ready to run.
pub struct Server {
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    address: SocketAddr,
    runs: PathBuf,
}

impl Server {
    /// Binds `options.host:options.port`; fails (naming the address) if it is taken or not
    /// this machine's.
    pub fn bind(options: &Options) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let wanted = SocketAddr::new(options.host, options.port);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(wanted))
            .map_err(|error| std::io::Error::new(error.kind(), format!("cannot listen on {wanted}: {error}")))?;
        let address = listener.local_addr()?;
        Ok(Self { runtime, listener, address, runs: options.runs.clone() })
    }

    /// The address listened on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The playground's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Serves until Ctrl-C (SIGINT) or SIGTERM; the trainings end with the server.
    pub fn run_until_ctrl_c(self) -> std::io::Result<()> {
        self.run_until(async {
            let interrupt = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a SIGTERM handler can be installed");
                tokio::select! { _ = interrupt => {}, _ = terminate.recv() => {} }
            }
            #[cfg(not(unix))]
            drop(interrupt.await);
        })
    }

    /// Serves until `shutdown` completes, then stops accepting and closes the event streams.
    pub fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Server { runtime, listener, address, runs } = self;
        runtime.block_on(async move {
            let app = app(address, runs);
            let service = app.into_make_service();
            // Event streams never end by themselves: once the signal comes, they are dropped
            // rather than waited for.
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = axum::serve(listener, service).with_graceful_shutdown(async move {
                shutdown.await;
                drop(stop);
            });
            tokio::select! {
                result = server => result,
                _ = async { drop(stopped.await); tokio::time::sleep(std::time::Duration::from_millis(500)).await } => Ok(()),
            }
        })?;
        runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        Ok(())
    }
}

/// Every route, behind the Host and Origin check and the body limit.
fn app(address: SocketAddr, runs: PathBuf) -> Router {
    let allowed = guard::AllowedHosts::of(address);
    Router::new()
        .merge(assets::routes())
        .merge(playground::routes(playground::Trainings::default()))
        .merge(runs::routes(runs))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(allowed, guard::same_origin_only))
}
