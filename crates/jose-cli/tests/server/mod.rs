//! A minimal real HTTP/1.1 server on 127.0.0.1 for the CLI tests: serves a JWKS at
//! `/jwks` and, optionally, an OIDC discovery document, and counts requests per path.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub(crate) struct Server {
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Server {
    /// `discovery`: `None` serves no discovery document; `Some(true)` one whose `issuer`
    /// is this server; `Some(false)` one that names another issuer.
    pub(crate) fn start(jwks: String, discovery: Option<bool>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let (counter, issuer) = (Arc::clone(&hits), base.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let jwks = jwks.clone();
                let (counter, issuer) = (Arc::clone(&counter), issuer.clone());
                std::thread::spawn(move || serve(stream, &jwks, discovery, &issuer, &counter));
            }
        });
        Server { base, hits }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

fn serve(
    stream: TcpStream,
    jwks: &str,
    discovery: Option<bool>,
    issuer: &str,
    hits: &Mutex<HashMap<String, usize>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_owned();
        *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
        let (status, body) = match (path.as_str(), discovery) {
            ("/jwks", _) => ("200 OK", jwks.to_owned()),
            ("/.well-known/openid-configuration", Some(honest)) => {
                let claimed = if honest {
                    issuer.to_owned()
                } else {
                    "https://impostor.example".to_owned()
                };
                let doc =
                    serde_json::json!({ "issuer": claimed, "jwks_uri": format!("{issuer}/jwks") });
                ("200 OK", doc.to_string())
            }
            _ => ("404 Not Found", "{}".to_owned()),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
