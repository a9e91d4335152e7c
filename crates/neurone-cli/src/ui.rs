//! `neurone ui`: the playground and the runs page, served to a browser on this machine.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

use crate::error::CliError;

/// Where `neurone ui` listens and which runs it shows.
#[derive(Args)]
pub struct UiArgs {
    /// The folder of runs the runs page lists.
    #[arg(long, value_name = "DIR", default_value = "runs")]
    runs: PathBuf,
    /// The port; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 8000)]
    port: u16,
    /// The interface to listen on. Anything but loopback lets other machines train networks
    /// and read the runs: only on a network you trust.
    #[arg(long, value_name = "H", default_value = "127.0.0.1")]
    host: IpAddr,
}

/// Serves until Ctrl-C.
pub fn run(args: &UiArgs) -> Result<(), CliError> {
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {}: other machines can reach this server, train networks on it and read {}",
            args.host,
            args.runs.display()
        );
    }
    let options = neurone_ui::Options { runs: args.runs.clone(), host: args.host, port: args.port };
    let server = neurone_ui::Server::bind(&options).map_err(|error| CliError::Failure(error.to_string()))?;
    print_line!("neurone ui: {} (runs from {}; Ctrl-C stops)", server.url(), args.runs.display());
    server.run_until_ctrl_c().map_err(|error| CliError::Failure(error.to_string()))?;
    eprintln!("neurone ui: stopped");
    Ok(())
}
