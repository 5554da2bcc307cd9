//! The HTTP seam: a small trait the fetcher calls for discovery and JWKS alike, with the
//! reqwest implementation as the default. Redirects are *not* followed by the client: the
//! fetcher follows them itself so its redirect rules hold for every client.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A GET request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The absolute URL.
    pub url: String,
    /// Extra request headers (e.g. `If-None-Match`).
    pub headers: Vec<(String, String)>,
    /// The body must not exceed this many bytes; stop reading and fail beyond it.
    pub max_body: usize,
}

/// A response, with the whole (bounded) body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Builds a response (for custom clients).
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let headers = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        HttpResponse {
            status,
            headers,
            body,
        }
    }

    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request failed before a response was read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// Could not connect (DNS, refused, TLS handshake). Retried once.
    Connect(String),
    /// The body was larger than allowed.
    TooLarge,
    /// Any other failure (read error, protocol error).
    Other(String),
}

/// The future a client returns.
pub type HttpFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'a>>;

/// An HTTP client for the fetcher. Implement it to route requests through your own stack
/// (proxy, mTLS, instrumentation); the fetcher uses it for discovery and JWKS alike.
///
/// Implementations must not follow redirects and must stop reading the body once it
/// exceeds `max_body`. Overall deadlines are applied by the fetcher.
pub trait HttpClient: Send + Sync + 'static {
    /// Performs a GET.
    fn get(&self, request: HttpRequest) -> HttpFuture<'_>;
}

/// The default client: reqwest with rustls, no redirects, a connect timeout, and a
/// streaming body limit.
#[derive(Debug, Clone)]
pub struct ReqwestClient {
    client: reqwest::Client,
}

impl ReqwestClient {
    /// A client with the given connect timeout.
    pub fn new(connect_timeout: Duration) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .user_agent(concat!("jose-fetch/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HttpError::Other(e.to_string()))?;
        Ok(ReqwestClient { client })
    }
}

impl HttpClient for ReqwestClient {
    fn get(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(async move {
            let mut builder = self
                .client
                .get(&request.url)
                .header("accept", "application/json");
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let mut response = builder.send().await.map_err(|e| {
                if e.is_connect() || e.is_timeout() {
                    HttpError::Connect(e.to_string())
                } else {
                    HttpError::Other(e.to_string())
                }
            })?;
            if response
                .content_length()
                .is_some_and(|len| len > request.max_body as u64)
            {
                return Err(HttpError::TooLarge);
            }
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| {
                    Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned()))
                })
                .collect();
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| HttpError::Other(e.to_string()))?
            {
                if body.len() + chunk.len() > request.max_body {
                    return Err(HttpError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}
