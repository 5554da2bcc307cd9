#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod bench;
mod cli;
mod decode;
mod jwks;
mod keys;
mod output;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// A usage or configuration problem: one line on stderr, exit code 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);

impl<E: std::fmt::Display> From<E> for UsageError {
    fn from(e: E) -> Self {
        UsageError(e.to_string())
    }
}

fn main() -> ExitCode {
    // clap exits with 2 on misuse and 0 for --help, as the contract wants.
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage_error(&UsageError(format!("cannot start the runtime: {e}"))),
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Verify(args) => verify::run(args).await,
            Command::Decode(args) => decode::run(&args),
            Command::Jwks(args) => jwks::run(args).await,
            Command::Bench(args) => bench::run(&args),
        }
    });
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => usage_error(&e),
    }
}

fn usage_error(e: &UsageError) -> ExitCode {
    eprintln!("jose: {}", e.0);
    ExitCode::from(2)
}
