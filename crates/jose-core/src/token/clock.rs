//! The clock that claim validation reads, passed in so tests and forensics can fix it.

use core::fmt::Debug;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time as seconds since the Unix epoch.
pub trait Clock: Send + Sync + Debug {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now_unix(&self) -> u64;
}

/// The system's wall clock.
///
/// Absent on `wasm32-unknown-unknown`, which has no clock (`SystemTime::now` panics
/// there): pass the host's time with [`ValidationBuilder::clock`] or
/// [`ValidationBuilder::now`](crate::ValidationBuilder::now) instead.
///
/// [`ValidationBuilder::clock`]: crate::ValidationBuilder::clock
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
impl Clock for SystemClock {
    fn now_unix(&self) -> u64 {
        // A wall clock before 1970 is broken. Reading it as the far future fails closed:
        // every token with an `exp` is then expired.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(u64::MAX, |d| d.as_secs())
    }
}

/// A clock stopped at a given instant (tests, replaying an incident).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now_unix(&self) -> u64 {
        self.0
    }
}
