//! The optional background timer, which refreshes before the set expires.

use super::*;

impl Inner {
    /// Starts the optional background timer once; it holds only a weak reference, so
    /// dropping the last `RemoteJwks` stops it.
    pub(super) fn ensure_timer(self: &Arc<Self>) {
        if !self.config.background_refresh || self.timer_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Inner> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let delay = {
                    let Some(inner) = weak.upgrade() else { return };
                    let now = inner.clock.now();
                    let due = match (inner.snapshot(), inner.state().retry_not_before) {
                        (_, Some(retry)) if retry > now => retry,
                        (Some(s), _) => s.refresh_at,
                        (None, _) => now,
                    };
                    if due <= now {
                        inner.refresh_in_background(now);
                    }
                    due.saturating_duration_since(now)
                        .max(Duration::from_millis(50))
                };
                tokio::time::sleep(delay).await;
            }
        });
    }
}
