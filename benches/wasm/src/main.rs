//! One benchmark run in WebAssembly: `jose-wasm-bench <jose|jsonwebtoken> <iterations>`
//! with `{"token":…,"jwk":{…},"alg":…,"iss":…,"aud":…,"now":…}` on stdin; prints the
//! mean nanoseconds per verification of the token (key parsed once, outside the loop).
#![forbid(unsafe_code)]

use std::io::Read as _;
use std::time::Instant;

use serde_json::Value;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (peer, iterations) = match args.as_slice() {
        [_, peer, n] => (peer.as_str(), n.parse::<u32>().expect("iterations")),
        _ => panic!("usage: jose-wasm-bench <jose|jsonwebtoken> <iterations>"),
    };
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).expect("stdin");
    let request: Value = serde_json::from_str(&input).expect("request JSON");
    let text = |name: &str| request[name].as_str().expect("a string member").to_owned();
    let (token, alg, iss, aud) = (text("token"), text("alg"), text("iss"), text("aud"));
    let now = request["now"].as_u64().expect("now");
    let jwk = request["jwk"].to_string();

    let mut run: Box<dyn FnMut() -> bool> = match peer {
        "jose" => {
            let set = jose_jwk::JwkSet::from_json(format!(r#"{{"keys":[{jwk}]}}"#).as_bytes())
                .expect("JWK");
            let alg = jose_core::Algorithm::from_name(&alg).expect("alg");
            let validation = jose_core::Validation::builder([alg])
                .issuer(iss)
                .audience(aud)
                .now(now)
                .build();
            Box::new(move || set.verify_jwt(&token, &validation).is_ok())
        }
        "jsonwebtoken" => {
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(&jwk).expect("JWK");
            let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).expect("key");
            let mut validation = jsonwebtoken::Validation::new(alg.parse().expect("alg"));
            validation.set_issuer(&[iss]);
            validation.set_audience(&[aud]);
            // jsonwebtoken reads the system clock and these tokens were issued for a
            // fixed `now`: the expiry is parsed but not compared.
            validation.validate_exp = false;
            Box::new(move || {
                jsonwebtoken::decode::<serde_json::Map<String, Value>>(&token, &key, &validation)
                    .is_ok()
            })
        }
        other => panic!("unknown peer {other}"),
    };
    assert!(run(), "{peer}: the token does not verify");
    let start = Instant::now();
    for _ in 0..iterations {
        assert!(run());
    }
    println!("{}", start.elapsed().as_nanos() / u128::from(iterations));
}
