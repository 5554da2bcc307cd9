//! The provider through a real HTTP client: defaults, scripts, counters, faults.

use std::time::{Duration, Instant};

use jose_testkit::{
    Alg, DISCOVERY_PATH, IDENTITY_SERVER_JWKS_PATH, JWKS_PATH, MockProvider, NotModified, Reply,
    TestKey, decode_segment, unix_now,
};
use serde_json::{Value, json};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn get(url: &str) -> reqwest::Response {
    client().get(url).send().await.unwrap()
}

/// A GET carrying one extra header.
async fn get_with(url: &str, name: &str, value: &str) -> reqwest::Response {
    client().get(url).header(name, value).send().await.unwrap()
}

async fn json_at(url: &str) -> Value {
    serde_json::from_slice(&get(url).await.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn discovery_and_jwks_by_default_and_404_elsewhere() {
    let key = TestKey::es256_seeded(1);
    let idp = MockProvider::start([key.jwk("k1")]).await;
    let doc = json_at(&idp.url(DISCOVERY_PATH)).await;
    assert_eq!(
        doc,
        json!({"issuer": idp.base_url(), "jwks_uri": idp.jwks_url()})
    );
    assert_eq!(
        json_at(&idp.jwks_url()).await,
        json!({"keys": [key.jwk("k1")]})
    );
    assert_eq!(get(&idp.url("/other")).await.status(), 404);
    assert_eq!(
        (
            idp.discovery_hits(),
            idp.jwks_hits(),
            idp.hits("/other"),
            idp.total_hits()
        ),
        (1, 1, 1, 3)
    );
    assert_eq!(idp.requests()[1].path, JWKS_PATH);
}

#[tokio::test]
async fn keys_rotate_and_the_issuer_can_lie() {
    let idp = MockProvider::builder()
        .jwks_path(IDENTITY_SERVER_JWKS_PATH)
        .issuer("https://impostor.example")
        .start()
        .await;
    let doc = json_at(&idp.url(DISCOVERY_PATH)).await;
    assert_eq!(doc["issuer"], "https://impostor.example");
    assert_eq!(doc["jwks_uri"], idp.url(IDENTITY_SERVER_JWKS_PATH));
    assert_eq!(json_at(&idp.jwks_url()).await, json!({"keys": []}));

    idp.add_key(TestKey::es256_seeded(1).jwk("k1"));
    idp.add_key(TestKey::rs256().jwk("k2"));
    assert!(idp.remove_key("k1"));
    assert!(!idp.remove_key("k1"));
    let set = json_at(&idp.jwks_url()).await;
    assert_eq!(set["keys"].as_array().unwrap().len(), 1);
    assert_eq!(set["keys"][0]["kid"], "k2");
    idp.set_issuer(None);
    assert_eq!(
        json_at(&idp.url(DISCOVERY_PATH)).await["issuer"],
        idp.base_url()
    );
    assert_eq!(idp.hits(IDENTITY_SERVER_JWKS_PATH), 2);
}

#[tokio::test]
async fn pushed_replies_come_once_in_order_and_set_ones_stay() {
    let idp = MockProvider::start([]).await;
    idp.push(JWKS_PATH, Reply::new(503, "busy").retry_after("7"));
    idp.push(JWKS_PATH, Reply::new(500, "boom"));
    let first = get(&idp.jwks_url()).await;
    assert_eq!(first.status(), 503);
    assert_eq!(first.headers()["retry-after"], "7");
    assert_eq!(get(&idp.jwks_url()).await.status(), 500);
    assert_eq!(get(&idp.jwks_url()).await.status(), 200);

    idp.set_jwks(Reply::html_login());
    for _ in 0..2 {
        let html = get(&idp.jwks_url()).await;
        assert_eq!(html.headers()["content-type"], "text/html");
        assert!(html.text().await.unwrap().contains("Login"));
    }
    idp.reset(JWKS_PATH);
    assert_eq!(get(&idp.jwks_url()).await.status(), 200);
    assert_eq!(idp.jwks_hits(), 6);
}

#[tokio::test]
async fn etag_revalidation_answers_304() {
    let idp = MockProvider::start([]).await;
    idp.set_jwks(
        Reply::jwks()
            .cache_control("max-age=600")
            .etag("\"v1\"", NotModified::WithHeaders),
    );
    let full = get(&idp.jwks_url()).await;
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["etag"], "\"v1\"");
    let again = get_with(&idp.jwks_url(), "if-none-match", "\"v1\"").await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["cache-control"], "max-age=600");
    assert_eq!(again.headers()["etag"], "\"v1\"");
    assert_eq!(idp.requests()[1].header("If-None-Match"), Some("\"v1\""));

    idp.set_jwks(
        Reply::jwks()
            .cache_control("max-age=1")
            .etag("\"v1\"", NotModified::Bare),
    );
    let bare = get_with(&idp.jwks_url(), "if-none-match", "\"v1\"").await;
    assert_eq!(bare.status(), 304);
    assert!(bare.headers().get("etag").is_none());
    assert!(bare.headers().get("cache-control").is_none());
}

#[tokio::test]
async fn redirects_delays_drips_and_large_bodies() {
    let idp = MockProvider::start([]).await;
    idp.set("/old", Reply::redirect(301, JWKS_PATH));
    let moved = get(&idp.url("/old")).await;
    assert_eq!(moved.status(), 301);
    assert_eq!(moved.headers()["location"], JWKS_PATH);

    idp.set_jwks(Reply::jwks().delay(Duration::from_millis(200)));
    let started = Instant::now();
    assert_eq!(get(&idp.jwks_url()).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    // Five pieces with a pause after each: the last byte arrives after four pauses.
    idp.set_jwks(Reply::json("0123456789").drip(2, Duration::from_millis(30)));
    let started = Instant::now();
    assert_eq!(
        get(&idp.jwks_url()).await.text().await.unwrap(),
        "0123456789"
    );
    assert!(started.elapsed() >= Duration::from_millis(120));

    idp.set_jwks(Reply::oversized(1000).close_delimited());
    let big = get(&idp.jwks_url()).await;
    assert!(big.headers().get("content-length").is_none());
    assert_eq!(
        big.bytes().await.unwrap().len(),
        1000 + r#"{"keys":[],"pad":""}"#.len()
    );

    idp.set_jwks(Reply::malformed_json());
    let cut = get(&idp.jwks_url()).await.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&cut).is_err());
}

#[tokio::test]
async fn a_hanging_reply_never_answers_and_dropping_the_provider_closes_it() {
    let idp = MockProvider::start([]).await;
    idp.set_jwks(Reply::jwks().hang());
    let url = idp.jwks_url();
    let pending = tokio::spawn(async move { client().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished());
    drop(idp);
    let outcome = tokio::time::timeout(Duration::from_secs(4), pending)
        .await
        .expect("the connection is closed when the provider is dropped")
        .unwrap();
    assert!(outcome.is_err(), "no response was ever sent");
}

#[tokio::test]
async fn intercept_decides_first() {
    let idp = MockProvider::start([]).await;
    idp.intercept(|request| {
        (request.header("x-test") == Some("teapot")).then(|| Reply::new(418, "short and stout"))
    });
    let teapot = get_with(&idp.jwks_url(), "x-test", "teapot").await;
    assert_eq!(teapot.status(), 418);
    assert_eq!(get(&idp.jwks_url()).await.status(), 200);
}

#[test]
fn start_blocking_serves_synchronous_tests() {
    let idp = MockProvider::start_blocking([TestKey::es256().jwk("k1")]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let set = runtime.block_on(json_at(&idp.jwks_url()));
    assert_eq!(set["keys"][0]["kid"], "k1");
    assert_eq!(idp.jwks_hits(), 1);
}

#[test]
fn an_unused_local_url_refuses_connections() {
    let url = jose_testkit::unused_local_url();
    let addr = url.strip_prefix("http://").unwrap();
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[tokio::test]
async fn provider_tokens_carry_its_issuer_the_published_kid_and_a_lifetime() {
    let (k1, k2) = (TestKey::es256_seeded(1), TestKey::seeded(Alg::EdDSA, 2));
    let idp = MockProvider::start([k1.jwk("k1"), k2.jwk("k2")]).await;
    let segments =
        |token: &str| -> Vec<Value> { token.split('.').take(2).map(decode_segment).collect() };

    let before = unix_now();
    let token = idp.token(&k2).claim("sub", "alice").sign();
    let [header, claims] = &segments(&token)[..] else {
        panic!("{token}")
    };
    assert_eq!(header, &json!({"alg": "EdDSA", "kid": "k2"}));
    assert_eq!(claims["iss"], idp.issuer());
    assert_eq!(claims["sub"], "alice");
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(iat >= before && iat <= unix_now(), "{iat}");
    assert_eq!(exp, iat + 600);

    // The issuer it claims follows the provider's; defaults can be changed or dropped.
    idp.set_issuer(Some("https://idp.example"));
    let token = idp.token(&k1).claim("iat", Value::Null).expired().sign();
    let claims = &segments(&token)[1];
    assert_eq!(claims["iss"], "https://idp.example");
    assert!(claims.get("iat").is_none());
    assert!(claims["exp"].as_u64().unwrap() + 3000 < unix_now());

    // A key the provider does not publish signs without a `kid`.
    let stranger = TestKey::seeded(Alg::ES384, 9);
    let header = &segments(&idp.token(&stranger).sign())[0];
    assert_eq!(header, &json!({"alg": "ES384"}));
    // A published key under another `alg` name is still found by its key.
    let ed25519 = k2.with_alg(Alg::Ed25519);
    assert_eq!(segments(&idp.token(&ed25519).sign())[0]["kid"], "k2");
}

#[test]
fn expiry_helpers_set_exp_from_now() {
    let key = TestKey::es256();
    let exp = |token: String| decode_segment(token.split('.').nth(1).unwrap())["exp"].as_u64();
    let now = unix_now();
    let soon = exp(key.token().expires_in(Duration::from_secs(90)).sign()).unwrap();
    assert!((now + 90..=unix_now() + 90).contains(&soon), "{soon}");
    let gone = exp(key.token().expired().sign()).unwrap();
    assert!((now - 3600..=unix_now() - 3600).contains(&gone), "{gone}");
}

#[tokio::test]
async fn reset_all_ends_every_fault() {
    let idp = MockProvider::builder()
        .keys([TestKey::es256_seeded(1).jwk("k1")])
        .reply(DISCOVERY_PATH, Reply::new(500, "down"))
        .start()
        .await;
    idp.set_jwks(Reply::malformed_json());
    idp.push(JWKS_PATH, Reply::new(503, "busy"));
    idp.intercept(|request| (request.path == "/extra").then(|| Reply::new(502, "")));
    assert_eq!(get(&idp.url(DISCOVERY_PATH)).await.status(), 500);
    assert_eq!(get(&idp.jwks_url()).await.status(), 503);
    assert_eq!(get(&idp.url("/extra")).await.status(), 502);

    idp.reset_all();
    assert_eq!(get(&idp.url(DISCOVERY_PATH)).await.status(), 200);
    let set = json_at(&idp.jwks_url()).await;
    assert_eq!(set["keys"][0]["kid"], "k1");
    assert_eq!(get(&idp.url("/extra")).await.status(), 404);
    assert_eq!(idp.total_hits(), 6, "the counters stay");
}

#[tokio::test]
async fn provider_tokens_name_the_jwk_published_for_their_alg() {
    let rs = TestKey::rs256();
    let ps = rs.with_alg(Alg::PS256);
    let mut bare = rs.public_jwk();
    bare["kid"] = "bare".into();
    let idp = MockProvider::start([rs.jwk("rs"), ps.jwk("ps"), bare]).await;
    let kid = |key: &TestKey| {
        let token = idp.token(key).sign();
        decode_segment(token.split('.').next().unwrap())["kid"].clone()
    };
    assert_eq!(kid(&rs), "rs");
    assert_eq!(kid(&ps), "ps");
    // No JWK says RS512: the one without `alg` fits it.
    assert_eq!(kid(&rs.with_alg(Alg::RS512)), "bare");
}
