//! How long a fetched set stays fresh, from the response's own headers, clamped to the
//! configured bounds (hickory's `TtlConfig` idea: honour server hints, within limits).

use std::time::{Duration, SystemTime};

use crate::http::HttpResponse;

/// The longest `Retry-After` honoured. At most one request an hour is no burden on a
/// provider that asked for more, and a mistaken header (a year) cannot stop the fetcher
/// from trying while its stale keys run out.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The longest server `stale-if-error` honoured: a week. Beyond that the server would be
/// asking us to trust stale keys indefinitely, which docs/DESIGN.md §7 rules out.
pub(crate) const MAX_STALE_IF_ERROR: Duration = Duration::from_secs(7 * 24 * 3600);

/// Freshness read from one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Freshness {
    /// How long the set is fresh, already clamped.
    pub(crate) ttl: Duration,
    /// A server `stale-if-error` hint, if any.
    pub(crate) stale_if_error: Option<Duration>,
}

/// Bounds and default for freshness.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TtlBounds {
    pub(crate) default: Duration,
    pub(crate) min: Duration,
    pub(crate) max: Duration,
}

/// `Cache-Control: max-age` (minus `Age`), else `Expires - Date` (both from the response,
/// so our clock's skew does not matter), else the default; `no-cache`/`no-store` give the
/// minimum. The result is clamped to `[min, max]`.
pub(crate) fn freshness(response: &HttpResponse, bounds: TtlBounds) -> Freshness {
    let directives = response
        .header("cache-control")
        .map(parse_cache_control)
        .unwrap_or_default();
    let ttl = if directives.no_cache {
        bounds.min
    } else if let Some(max_age) = directives.max_age {
        let age = response
            .header("age")
            .and_then(|a| a.trim().parse::<u64>().ok())
            .unwrap_or(0);
        Duration::from_secs(max_age.saturating_sub(age))
    } else if let Some(ttl) = expires_minus_date(response) {
        ttl
    } else {
        bounds.default
    };
    Freshness {
        ttl: ttl.clamp(bounds.min, bounds.max.max(bounds.min)),
        stale_if_error: directives.stale_if_error,
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Directives {
    max_age: Option<u64>,
    no_cache: bool,
    stale_if_error: Option<Duration>,
}

fn parse_cache_control(value: &str) -> Directives {
    let mut d = Directives::default();
    for directive in value.split(',') {
        let (name, arg) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        let seconds = arg.and_then(|a| a.parse::<u64>().ok());
        match name.to_ascii_lowercase().as_str() {
            "max-age" => d.max_age = seconds.or(d.max_age),
            "no-cache" | "no-store" => d.no_cache = true,
            "stale-if-error" => {
                d.stale_if_error = seconds.map(|s| Duration::from_secs(s).min(MAX_STALE_IF_ERROR))
            }
            _ => {}
        }
    }
    d
}

/// `Expires − Date`. RFC 9111 §5.3: an invalid `Expires` (notably "0") means already
/// expired; without a valid `Date`, the time of receipt stands in for it.
fn expires_minus_date(response: &HttpResponse) -> Option<Duration> {
    let Ok(expires) = httpdate::parse_http_date(response.header("expires")?.trim()) else {
        return Some(Duration::ZERO);
    };
    Some(
        expires
            .duration_since(response_date(response))
            .unwrap_or(Duration::ZERO),
    )
}

/// The response's own `Date`, or now if it has none.
fn response_date(response: &HttpResponse) -> SystemTime {
    response
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .unwrap_or_else(SystemTime::now)
}

/// `Retry-After` as seconds or an HTTP date (relative to the response's `Date`, else now),
/// at most [`MAX_RETRY_AFTER`].
pub(crate) fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    let delay = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            at.duration_since(response_date(response))
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: TtlBounds = TtlBounds {
        default: Duration::from_secs(600),
        min: Duration::from_secs(60),
        max: Duration::from_secs(86_400),
    };

    fn response(headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse::new(
            200,
            headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            Vec::new(),
        )
    }

    #[test]
    fn max_age_minus_age_clamped() {
        assert_eq!(
            freshness(
                &response(&[("Cache-Control", "public, max-age=3600")]),
                BOUNDS
            )
            .ttl
            .as_secs(),
            3600
        );
        assert_eq!(
            freshness(
                &response(&[("cache-control", "max-age=3600"), ("age", "600")]),
                BOUNDS
            )
            .ttl
            .as_secs(),
            3000
        );
        assert_eq!(
            freshness(&response(&[("cache-control", "max-age=5")]), BOUNDS)
                .ttl
                .as_secs(),
            60
        );
        assert_eq!(
            freshness(&response(&[("cache-control", "max-age=999999")]), BOUNDS)
                .ttl
                .as_secs(),
            86_400
        );
        assert_eq!(
            freshness(&response(&[("cache-control", "no-store")]), BOUNDS)
                .ttl
                .as_secs(),
            60
        );
        assert_eq!(
            freshness(
                &response(&[("cache-control", "no-cache, max-age=3600")]),
                BOUNDS
            )
            .ttl
            .as_secs(),
            60
        );
        assert_eq!(freshness(&response(&[]), BOUNDS).ttl.as_secs(), 600);
        assert_eq!(
            freshness(&response(&[("cache-control", "max-age=abc")]), BOUNDS)
                .ttl
                .as_secs(),
            600
        );
    }

    #[test]
    fn expires_uses_the_response_date() {
        let r = response(&[
            ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ("expires", "Sun, 22 Nov 2026 12:00:00 GMT"),
        ]);
        assert_eq!(freshness(&r, BOUNDS).ttl.as_secs(), 7200);
        // RFC 9111 §5.3: an invalid Expires ("0") is in the past; so is an Expires
        // before Date. Both get the minimum, not the default.
        for expires in ["0", "soon", "Sun, 22 Nov 2026 09:00:00 GMT"] {
            let past = response(&[
                ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
                ("expires", expires),
            ]);
            assert_eq!(freshness(&past, BOUNDS).ttl.as_secs(), 60, "{expires}");
        }
        // Without Date, the time of receipt: an Expires long past is expired.
        let undated = response(&[("expires", "Sun, 22 Nov 1998 10:00:00 GMT")]);
        assert_eq!(freshness(&undated, BOUNDS).ttl.as_secs(), 60);
    }

    #[test]
    fn stale_if_error_and_retry_after() {
        let r = response(&[
            ("cache-control", "max-age=60, stale-if-error=86400"),
            ("retry-after", "120"),
        ]);
        assert_eq!(
            freshness(&r, BOUNDS).stale_if_error,
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(retry_after(&r), Some(Duration::from_secs(120)));
        let dated = response(&[
            ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ("retry-after", "Sun, 22 Nov 2026 10:01:00 GMT"),
        ]);
        assert_eq!(retry_after(&dated), Some(Duration::from_secs(60)));
    }

    #[test]
    fn server_hints_are_capped() {
        let huge = response(&[
            (
                "cache-control",
                "max-age=60, stale-if-error=18446744073709551615",
            ),
            ("retry-after", "18446744073709551615"),
        ]);
        assert_eq!(
            freshness(&huge, BOUNDS).stale_if_error,
            Some(MAX_STALE_IF_ERROR)
        );
        assert_eq!(retry_after(&huge), Some(MAX_RETRY_AFTER));
        let far = response(&[
            ("date", "Sun, 22 Nov 2026 10:00:00 GMT"),
            ("retry-after", "Sun, 22 Nov 2099 10:00:00 GMT"),
        ]);
        assert_eq!(retry_after(&far), Some(MAX_RETRY_AFTER));
    }
}
