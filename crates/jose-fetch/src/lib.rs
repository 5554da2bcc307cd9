#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The public interface is:
pub use crate::clock::{Clock, ManualClock, MonotonicClock};
pub use crate::config::RemoteJwksBuilder;
pub use crate::error::FetchError;
pub use crate::fetcher::RemoteJwks;
pub use crate::http::{
    HttpClient, HttpError, HttpFuture, HttpRequest, HttpResponse, ReqwestClient,
};
pub use crate::registry::{IssuerRegistry, IssuerRegistryBuilder};
pub use crate::status::{Counters, Health, Status};

mod cache_policy;
mod clock;
mod config;
mod discovery;
mod error;
mod fetcher;
mod http;
mod jitter;
mod registry;
mod source;
mod status;
mod telemetry;
mod url_policy;
