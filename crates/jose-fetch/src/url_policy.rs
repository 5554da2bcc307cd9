//! Where the fetcher may connect: https anywhere, http only to loopback, redirects only
//! within the same origin.

use reqwest::Url;

use crate::error::FetchError;

/// Parses `url` and checks its transport: `https`, or `http` to a loopback host
/// (127.0.0.0/8, ::1, `localhost`) for local development and tests.
pub(crate) fn parse_endpoint(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|_| "not an absolute URL".to_owned())?;
    check_transport(&parsed)?;
    Ok(parsed)
}

pub(crate) fn check_transport(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err("http:// is only allowed for loopback hosts; use https://".to_owned()),
        _ => Err("only https:// URLs are allowed".to_owned()),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Resolves a redirect `Location` against `from` and checks it stays on the same origin.
pub(crate) fn follow_redirect(from: &Url, location: &str) -> Result<Url, FetchError> {
    let next = from
        .join(location)
        .map_err(|_| FetchError::invalid("redirect Location is not a URL"))?;
    if next.origin() != from.origin() {
        return Err(FetchError::invalid("redirect to another origin refused"));
    }
    check_transport(&next).map_err(FetchError::invalid)?;
    Ok(next)
}
