//! How long a fetched set stays fresh, from the response's own headers, clamped to the
//! configured bounds (hickory's `TtlConfig` idea: honour server hints, within limits).

use std::time::{Duration, SystemTime};

use crate::http::HttpResponse;

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
            "stale-if-error" => d.stale_if_error = seconds.map(Duration::from_secs),
            _ => {}
        }
    }
    d
}

fn expires_minus_date(response: &HttpResponse) -> Option<Duration> {
    let expires = httpdate::parse_http_date(response.header("expires")?.trim()).ok()?;
    let date = httpdate::parse_http_date(response.header("date")?.trim()).ok()?;
    // An Expires in the past (or "0") means already stale.
    Some(expires.duration_since(date).unwrap_or(Duration::ZERO))
}

/// `Retry-After` as seconds or an HTTP date (relative to the response's `Date`, else now).
pub(crate) fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let now = response
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .unwrap_or_else(SystemTime::now);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
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
        let past = response(&[("date", "Sun, 22 Nov 2026 10:00:00 GMT"), ("expires", "0")]);
        assert_eq!(
            freshness(&past, BOUNDS).ttl.as_secs(),
            600,
            "unparseable Expires falls back to default"
        );
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
}
