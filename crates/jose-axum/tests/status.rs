//! The fetcher behind the layer reports the layer's verified-token cache in its status,
//! where a health endpoint already looks.

mod support;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use jose_axum::JwtAuth;
use jose_fetch::RemoteJwks;
use jose_testkit::MockProvider;
use serde_json::json;
use support::{claims, key, sign, validation};

const ISSUER: &str = "https://issuer.example/";

fn bearer(token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    headers
}

#[tokio::test]
async fn the_fetchers_status_shows_the_layers_token_cache() {
    let idp = MockProvider::start([key(1).jwk("k1")]).await;
    let keys = RemoteJwks::builder(idp.jwks_url()).build().unwrap();
    assert_eq!(keys.status().token_cache, None, "no cache attached yet");

    let auth = JwtAuth::new(keys.clone(), validation(ISSUER));
    let headers = bearer(&sign("k1", &key(1), &claims(ISSUER, json!({}))));
    auth.authenticate(&headers).await.unwrap().unwrap();
    auth.authenticate(&headers).await.unwrap().unwrap();
    let cache = keys.status().token_cache.unwrap();
    assert_eq!((cache.hits, cache.misses, cache.entries), (1, 1, 1));
    assert_eq!(Some(cache), auth.token_cache_stats());

    // A second layer over the same fetcher adds its counts while it lives.
    let other = JwtAuth::new(keys.clone(), validation(ISSUER));
    other.authenticate(&headers).await.unwrap().unwrap();
    let both = keys.status().token_cache.unwrap();
    assert_eq!((both.hits, both.misses, both.entries), (1, 2, 2));
    drop(other);
    assert_eq!(keys.status().token_cache, Some(cache));

    // A layer without a cache attaches nothing.
    let fresh = RemoteJwks::builder(idp.jwks_url()).build().unwrap();
    let uncached = JwtAuth::builder(fresh.clone(), validation(ISSUER))
        .token_cache(None)
        .build();
    uncached.authenticate(&headers).await.unwrap().unwrap();
    assert_eq!(fresh.status().token_cache, None);
}
