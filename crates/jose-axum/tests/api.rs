//! The layer and extractors behind a real axum server on 127.0.0.1, keys from a real
//! local issuer (discovery + JWKS) through `jose-fetch`, called with a real HTTP client.
//! Tokens carry real times with wide margins, so nothing sleeps for a TTL.

mod support;

use std::time::{Duration, Instant};

use jose_axum::JwtAuth;
use jose_core::base64url_encode;
use jose_fetch::RemoteJwks;
use jose_jwk::JwkSet;
use jose_testkit::{JWKS_PATH, MockProvider, Reply, unix_now};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use serde_json::{Value, json};
use support::{api, claims, client, key, serve, sign, validation};

/// An issuer with key `k1`, and the API using it through discovery.
async fn setup() -> (MockProvider, String) {
    let issuer = MockProvider::start([key(1).jwk("k1")]).await;
    let keys = RemoteJwks::from_issuer(issuer.base_url()).build().unwrap();
    let auth = JwtAuth::builder(keys, validation(issuer.base_url()))
        .realm(support::REALM)
        .build();
    let api = serve(api(auth)).await;
    (issuer, api)
}

fn good_token(issuer: &MockProvider, extra: Value) -> String {
    sign("k1", &key(1), &claims(issuer.base_url(), extra))
}

fn challenge(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(WWW_AUTHENTICATE)
        .expect("a WWW-Authenticate header")
        .to_str()
        .unwrap()
}

fn invalid_token(description: &str) -> String {
    format!(r#"Bearer realm="test", error="invalid_token", error_description="{description}""#)
}

fn invalid_request(description: &str) -> String {
    format!(r#"Bearer realm="test", error="invalid_request", error_description="{description}""#)
}

async fn json_body(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

const BARE_CHALLENGE: &str = r#"Bearer realm="test""#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_gets_its_claims_typed_and_untyped() {
    let (issuer, api) = setup().await;
    let token = good_token(&issuer, json!({"scope": "read write"}));
    let http = client();

    let me = http
        .get(format!("{api}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let body = json_body(me).await;
    assert_eq!(body, json!({"sub": "alice", "scope": "read write"}));

    let raw = http
        .get(format!("{api}/raw"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::OK);
    let body = json_body(raw).await;
    assert_eq!(body["kid"], "k1");
    assert_eq!(body["alg"], "ES256");
    assert_eq!(body["claims"]["iss"], issuer.base_url());
    assert_eq!(body["claims"]["aud"], support::AUDIENCE);
    assert_eq!(body["scopes"], json!(["read", "write"]));

    // The scheme is case-insensitive.
    let lower = http
        .get(format!("{api}/me"))
        .header(AUTHORIZATION, format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lower.status(), StatusCode::OK);
    // Two verifications, one discovery and one JWKS fetch.
    assert_eq!((issuer.discovery_hits(), issuer.jwks_hits()), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_route_needs_no_token_and_fetches_nothing() {
    let (issuer, api) = setup().await;
    let response = client().get(format!("{api}/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert_eq!(response.text().await.unwrap(), "Hello");
    assert_eq!(issuer.discovery_hits() + issuer.jwks_hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_token_gets_a_bare_challenge() {
    let (issuer, api) = setup().await;
    for path in ["/me", "/raw", "/admin", "/maybe"] {
        let response = client().get(format!("{api}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(challenge(&response), BARE_CHALLENGE, "{path}");
        assert!(response.text().await.unwrap().is_empty());
    }
    assert_eq!(issuer.jwks_hits(), 0, "no key work without a token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_tokens_get_invalid_token_without_echoing_anything() {
    let (issuer, api) = setup().await;
    let good = good_token(&issuer, json!({}));
    let (head, rest) = good.split_once('.').unwrap();
    let signature = rest.split_once('.').unwrap().1;
    let tampered_payload = base64url_encode(
        claims(issuer.base_url(), json!({"sub": "mallory"}))
            .to_string()
            .as_bytes(),
    );
    let tampered = format!("{head}.{tampered_payload}.{signature}");

    let cases = [
        (
            "expired",
            good_token(
                &issuer,
                json!({"iat": unix_now() - 7200, "exp": unix_now() - 3600}),
            ),
            "the token has expired",
        ),
        (
            "not yet valid",
            good_token(&issuer, json!({"nbf": unix_now() + 3600})),
            "the token is not valid yet",
        ),
        (
            "wrong audience",
            good_token(&issuer, json!({"aud": "api://someone-else"})),
            "the token claims are not accepted",
        ),
        (
            "wrong issuer",
            good_token(&issuer, json!({"iss": "https://evil.example/"})),
            "the token claims are not accepted",
        ),
        (
            "no audience",
            good_token(&issuer, json!({"aud": null})),
            "the token claims are not accepted",
        ),
        ("tampered", tampered, "the token signature is invalid"),
        (
            "signed by another key under a known kid",
            sign("k1", &key(2), &claims(issuer.base_url(), json!({}))),
            "the token signature is invalid",
        ),
        (
            "unknown kid",
            sign("k-unknown", &key(2), &claims(issuer.base_url(), json!({}))),
            "no key can verify the token",
        ),
        ("not a JWS", "abc.def".to_owned(), "the token is malformed"),
        (
            "claims that do not fit the handler's type",
            good_token(&issuer, json!({"sub": null})),
            "the token claims are not accepted",
        ),
    ];
    for (what, token, description) in cases {
        let response = client()
            .get(format!("{api}/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        let header = challenge(&response).to_owned();
        assert_eq!(header, invalid_token(description), "{what}");
        let body = response.text().await.unwrap();
        for part in token.split('.') {
            assert!(
                !header.contains(part) && !body.contains(part),
                "{what} echoed"
            );
        }
        assert!(
            !header.contains("mallory") && !header.contains("evil"),
            "{what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_authorization_is_refused() {
    let (issuer, api) = setup().await;
    let token = good_token(&issuer, json!({}));
    let http = client();

    let two_tokens = http
        .get(format!("{api}/me"))
        .header(AUTHORIZATION, format!("Bearer {token} {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(two_tokens.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&two_tokens),
        invalid_request("more than one bearer token")
    );

    let two_headers = http
        .get(format!("{api}/me"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(two_headers.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&two_headers),
        invalid_request("more than one Authorization header")
    );

    let not_token68 = http
        .get(format!("{api}/me"))
        .header(AUTHORIZATION, format!("Bearer \"{token}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(not_token68.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&not_token68),
        invalid_request("the bearer token has characters outside token68")
    );

    // Another scheme is no bearer credentials: the plain challenge, no error code.
    for value in [
        "Basic YWxpY2U6c2VjcmV0",
        &format!("Token {token}"),
        "Bearer",
    ] {
        let response = http
            .get(format!("{api}/me"))
            .header(AUTHORIZATION, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{value}");
        let expected = if value == "Bearer" {
            invalid_request("the bearer token is empty")
        } else {
            BARE_CHALLENGE.to_owned()
        };
        assert_eq!(challenge(&response), expected, "{value}");
    }
    assert_eq!(issuer.jwks_hits(), 0, "malformed requests cost no key work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuer_down_on_a_cold_cache_is_a_503() {
    let dead = jose_testkit::unused_local_url();
    let keys = RemoteJwks::from_issuer(&dead).build().unwrap();
    let auth = JwtAuth::builder(keys, validation(&dead))
        .realm(support::REALM)
        .build();
    let api = serve(api(auth)).await;
    let token = sign("k1", &key(1), &claims(&dead, json!({})));

    let started = Instant::now();
    let response = client()
        .get(format!("{api}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().get(WWW_AUTHENTICATE).is_none());
    assert!(started.elapsed() < Duration::from_secs(5));

    // Asked again at once, the fetcher is backing off and says for how long.
    let again = client()
        .get(format!("{api}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry_after: u64 = again
        .headers()
        .get(RETRY_AFTER)
        .expect("Retry-After while backing off")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120).contains(&retry_after), "{retry_after}");

    // A token that could never verify is the client's fault, even during an outage.
    let garbage = client()
        .get(format!("{api}/me"))
        .bearer_auth("not.a.jws")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&garbage), invalid_token("the token is malformed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_scopes_are_a_403_naming_them() {
    let (issuer, api) = setup().await;
    let http = client();
    let get = |path: &'static str, token: String| {
        let http = http.clone();
        let api = api.clone();
        async move {
            http.get(format!("{api}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };

    let reader = good_token(&issuer, json!({"scope": "read"}));
    let response = get("/admin", reader.clone()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        challenge(&response),
        r#"Bearer realm="test", error="insufficient_scope", error_description="the token lacks a required scope", scope="admin""#
    );
    let response = get("/write", reader).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(challenge(&response).ends_with(r#"scope="write""#));

    for granted in [
        json!({"scope": "read admin write"}),
        json!({"scp": ["admin", "write"]}),
        json!({"scp": "write admin"}),
    ] {
        let token = good_token(&issuer, granted.clone());
        assert_eq!(
            get("/admin", token.clone()).await.status(),
            200,
            "{granted}"
        );
        assert_eq!(get("/write", token).await.status(), 200, "{granted}");
    }

    // A scope claim of the wrong shape grants nothing.
    let odd = good_token(&issuer, json!({"scope": ["admin"], "scp": {"admin": true}}));
    assert_eq!(get("/admin", odd).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_requests_on_a_cold_cache_fetch_the_keys_once() {
    let issuer = MockProvider::builder()
        .keys([key(1).jwk("k1")])
        .reply(JWKS_PATH, Reply::jwks().delay(Duration::from_millis(200)))
        .start()
        .await;
    let keys = RemoteJwks::from_issuer(issuer.base_url()).build().unwrap();
    let api = serve(api(JwtAuth::new(keys, validation(issuer.base_url())))).await;
    let token = good_token(&issuer, json!({}));
    let http = client();

    let mut requests = Vec::new();
    for _ in 0..100 {
        let (http, api, token) = (http.clone(), api.clone(), token.clone());
        requests.push(tokio::spawn(async move {
            let response = http
                .get(format!("{api}/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            response.status()
        }));
    }
    for request in requests {
        assert_eq!(request.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(issuer.discovery_hits(), 1);
    assert_eq!(issuer.jwks_hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_static_key_set_with_cookie_and_header_sources() {
    let issuer_url = "https://issuer.example/";
    let set =
        JwkSet::from_json(json!({"keys": [key(1).jwk("k1")]}).to_string().as_bytes()).unwrap();
    let auth = JwtAuth::builder(set, validation(issuer_url))
        .realm(support::REALM)
        .cookie("access_token")
        .header(http::HeaderName::from_static("x-access-token"))
        .build();
    let api = serve(api(auth)).await;
    let token = sign("k1", &key(1), &claims(issuer_url, json!({})));
    let http = client();

    let by_header = http
        .get(format!("{api}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_header.status(), StatusCode::OK);

    let by_cookie = http
        .get(format!("{api}/me"))
        .header("cookie", format!("theme=dark; access_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_cookie.status(), StatusCode::OK);
    let body = json_body(by_cookie).await;
    assert_eq!(body["sub"], "alice");

    let by_custom = http
        .get(format!("{api}/me"))
        .header("x-access-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_custom.status(), StatusCode::OK);

    let twice = http
        .get(format!("{api}/me"))
        .header(
            "cookie",
            format!("access_token={token}; access_token={token}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&twice),
        invalid_request("the token cookie appears more than once")
    );

    let forged = sign("k1", &key(3), &claims(issuer_url, json!({})));
    let refused = http
        .get(format!("{api}/me"))
        .header("cookie", format!("access_token={forged}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        challenge(&refused),
        invalid_token("the token signature is invalid")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_credentials_let_anonymous_requests_through_but_not_bad_tokens() {
    let issuer = MockProvider::start([key(1).jwk("k1")]).await;
    let keys = RemoteJwks::from_issuer(issuer.base_url()).build().unwrap();
    let auth = JwtAuth::builder(keys, validation(issuer.base_url()))
        .realm(support::REALM)
        .optional(true)
        .build();
    let api = serve(api(auth)).await;
    let http = client();
    let get = |path: &'static str, token: Option<String>| {
        let (http, api) = (http.clone(), api.clone());
        async move {
            let mut request = http.get(format!("{api}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send().await.unwrap()
        }
    };

    let anonymous = get("/maybe", None).await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(anonymous.text().await.unwrap(), "anonymous");

    let token = good_token(&issuer, json!({}));
    let known = get("/maybe", Some(token)).await;
    assert_eq!(known.text().await.unwrap(), "alice");

    let expired = good_token(&issuer, json!({"exp": unix_now() - 3600}));
    let refused = get("/maybe", Some(expired)).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(challenge(&refused), invalid_token("the token has expired"));

    // Routes that need the claims still answer 401 to anonymous requests.
    for path in ["/me", "/raw", "/admin"] {
        let response = get(path, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(challenge(&response), BARE_CHALLENGE, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extractor_without_the_layer_fails_closed() {
    let (issuer, api) = setup().await;
    let token = good_token(&issuer, json!({}));
    let response = client()
        .get(format!("{api}/unprotected-claims"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.text().await.unwrap().is_empty());
}
