//! `memory`: how much a cached key costs, measured by counting allocations.
//!
//! Not a criterion bench: it prints one table. `cargo bench -p jose-benches --bench memory`
//!
//! The process's global allocator is `stats_alloc`'s counting wrapper around the system
//! allocator (its `unsafe impl GlobalAlloc` is in that crate, so this crate keeps
//! `forbid(unsafe_code)`). For each kind of key, `COUNT` keys are built and kept alive;
//! the allocator's net change (bytes requested minus bytes freed, so temporaries cancel
//! out) divided by `COUNT` is the heap cost of one key. Keys are measured new and after
//! two verifications, because jose-core builds an EC key's table of multiples lazily,
//! on the key's second use. Add the inline size
//! (`size_of`) for the whole cost. These are bytes *requested*: malloc adds its own
//! per-block overhead (typically 8 to 16 bytes per live block, also reported) and
//! rounding. aws-lc-rs keys live on the C heap (`OPENSSL_malloc`), which this allocator
//! does not see, so they are not in the table.

use std::alloc::System;
use std::hint::black_box;

use jose_benches::{Case, Fixture, PublicKey, TestKey, jwks_json};
use jose_core::{Algorithm, VerifyingKey};
use jose_jwk::{Jwk, JwkSet};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many keys are kept alive per measurement.
const COUNT: usize = 200;

/// Net heap bytes and live blocks per item of what `build` returns, kept alive `COUNT`
/// times over.
fn per_item<T>(mut build: impl FnMut() -> T) -> (usize, f64) {
    let mut kept: Vec<T> = Vec::with_capacity(COUNT);
    let region = Region::new(GLOBAL);
    for _ in 0..COUNT {
        kept.push(black_box(build()));
    }
    let change = region.change();
    drop(black_box(kept));
    let bytes = change
        .bytes_allocated
        .saturating_sub(change.bytes_deallocated);
    let blocks = change.allocations.saturating_sub(change.deallocations);
    (bytes / COUNT, blocks as f64 / COUNT as f64)
}

struct Row {
    what: String,
    inline: usize,
    heap: usize,
    blocks: f64,
}

fn main() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let keys = [
        (Case::Rs256_2048, "RSA-2048", Algorithm::RS256),
        (Case::Rs256_3072, "RSA-3072", Algorithm::RS256),
        (Case::Rs256_4096, "RSA-4096", Algorithm::RS256),
        (Case::Es256, "EC P-256", Algorithm::ES256),
    ];
    let mut rows = Vec::new();
    for (case, name, alg) in keys {
        let test_key: TestKey = case.test_key();
        let public = test_key.public();
        let (heap, blocks) = per_item(|| public.to_verifying_key());
        rows.push(Row {
            what: format!("jose VerifyingKey {name}, new"),
            inline: size_of::<VerifyingKey>(),
            heap,
            blocks,
        });
        // What a cache really holds: a key that has verified tokens. jose-core builds an
        // EC key's table of multiples on its second use, so measure after two.
        let fixture = Fixture::new(case);
        let validation = fixture.validation();
        let (heap, blocks) = per_item(|| {
            let key = public.to_verifying_key();
            for _ in 0..2 {
                jose_core::verify_jwt(fixture.token(), &key, &validation).expect("verifies");
            }
            key
        });
        rows.push(Row {
            what: format!("jose VerifyingKey {name}, after 2 verifications"),
            inline: size_of::<VerifyingKey>(),
            heap,
            blocks,
        });
        let json = public.to_jwk_json(test_key.kid(), alg);
        let (heap, blocks) = per_item(|| Jwk::from_json(json.as_bytes()).expect("a JWK"));
        rows.push(Row {
            what: format!("jose Jwk {name}, new (key, kid, alg, use, thumbprint)"),
            inline: size_of::<Jwk>(),
            heap,
            blocks,
        });
        let (heap, blocks) = per_item(|| peer_key(&public));
        rows.push(Row {
            what: format!("jsonwebtoken DecodingKey {name}"),
            inline: size_of::<jsonwebtoken::DecodingKey>(),
            heap,
            blocks,
        });
    }
    // A whole set: the Vec<Jwk>, the kid index and the keys, per key.
    let document = jwks_json(100);
    let region = Region::new(GLOBAL);
    let set = black_box(JwkSet::from_json(document.as_bytes()).expect("the set"));
    let change = region.change();
    rows.push(Row {
        what: format!("jose JwkSet of {} RSA-2048 keys, new, per key", set.len()),
        inline: 0,
        heap: change
            .bytes_allocated
            .saturating_sub(change.bytes_deallocated)
            / set.len(),
        blocks: change.allocations.saturating_sub(change.deallocations) as f64 / set.len() as f64,
    });

    println!(
        "memory per cached key (heap = bytes requested from the allocator, net of temporaries; {COUNT} keys kept per row)\n"
    );
    println!(
        "{:<60} {:>8} {:>10} {:>12} {:>8}",
        "what", "inline", "heap", "heap blocks", "total"
    );
    for row in &rows {
        println!(
            "{:<60} {:>8} {:>10} {:>12.1} {:>8}",
            row.what,
            row.inline,
            row.heap,
            row.blocks,
            row.inline + row.heap
        );
    }
    let rsa_2048 = rows.first().expect("rows");
    assert!(
        rsa_2048.heap >= 256,
        "an RSA-2048 key holds at least its modulus"
    );
}

fn peer_key(public: &PublicKey) -> jsonwebtoken::DecodingKey {
    let (a, b) = public.jwk_members();
    match public {
        PublicKey::Rsa { .. } => jsonwebtoken::DecodingKey::from_rsa_components(&a, &b),
        PublicKey::P256 { .. } => jsonwebtoken::DecodingKey::from_ec_components(&a, &b),
    }
    .expect("a key")
}
