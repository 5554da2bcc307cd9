//! Jitter for refresh-ahead, retries and backoff, from a small xorshift generator: the
//! values only spread load, so they need no cryptographic quality and no dependency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A thread-safe xorshift64* generator.
#[derive(Debug)]
pub(crate) struct Jitter(AtomicU64);

impl Jitter {
    pub(crate) fn new() -> Self {
        // Seed from the address of a stack value and the time: enough to keep replicas
        // of a service from refreshing in lockstep.
        let marker = 0u8;
        let addr = &marker as *const u8 as usize as u64;
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Jitter(AtomicU64::new((addr ^ time) | 1))
    }

    fn next(&self) -> u64 {
        let mut x = self.0.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0.store(x, Ordering::Relaxed);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A uniform fraction in `[0, 1)`.
    pub(crate) fn fraction(&self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A duration uniform in `[low, high]`.
    pub(crate) fn between(&self, low: Duration, high: Duration) -> Duration {
        let span = high.saturating_sub(low);
        low + span.mul_f64(self.fraction())
    }
}

/// Exponential backoff with full jitter: uniform between `base` and
/// `min(max, base * 2^(failures-1))`. The floor of `base` keeps a failing provider from
/// being retried in a tight loop when the draw is small.
pub(crate) fn backoff(jitter: &Jitter, failures: u32, base: Duration, max: Duration) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let ceiling = base.saturating_mul(1u32 << exp).min(max);
    jitter.between(base.min(ceiling), ceiling)
}
