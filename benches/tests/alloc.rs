//! A verification allocates only what it returns.
//!
//! Part 1, everything around the signature math:
//! `jose_core::verify_jwt_with` returns the header and the claims. The rest of the work
//! (the decoded header JSON, payload and signature) uses stack buffers, so the only heap
//! blocks a verification needs outside the signature math are those of the returned
//! `Header` and `Claims`. This test checks that on the fixture tokens (RS256-2048 and
//! ES256, the `parse` bench's rows), through the entry point that runs the verification
//! path with the signature math left out.
//!
//! Part 2, the signature math too: a whole `verify_jwt` of every fixture (RS256 at 2048,
//! 3072 and 4096 bits, PS256, ES256) with a key that has verified before allocates the
//! returned header and claims and nothing else. RSA's `s^e mod n`, its encoding checks
//! and PSS's MGF1 work in stack buffers; ES256's per-key table is built on a key's
//! second verification, so it is built before the counted one.
//!
//! What is counted: the global allocator is `stats_alloc`'s counting wrapper around the
//! system allocator, and each step runs inside a `Region`, which reports the allocations,
//! deallocations and reallocations (count and bytes) made by the whole process while the
//! step ran. The expected figures come from `clone()`s of the header and claims of a
//! genuine verification of the same token: a deep copy allocates exactly the blocks a
//! value owns (one per string, one per map node, one per vector). A transient buffer
//! would show up as one more allocation and a deallocation; a vector grown in place as a
//! reallocation. The file holds a single test, so no other test thread allocates while a
//! region is open.

use std::alloc::System;
use std::hint::black_box;

use jose_benches::{Case, Fixture, test_keys_jwks_json};
use jose_core::internal::bench_verify_jwt_without_signature;
use jose_core::{Claims, CompactJws, Header};
use jose_jwk::JwkSet;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, Stats, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Runs `step` and returns its result with the heap operations made while it ran.
fn counted<T>(step: impl FnOnce() -> T) -> (T, Stats) {
    let region = Region::new(GLOBAL);
    let out = black_box(step());
    (out, region.change())
}

/// Deep copies of what a verification returned, and the heap blocks each copy allocated:
/// exactly the blocks the header and the claims own.
struct Returned {
    header: Header,
    claims: Claims,
    header_blocks: Stats,
    claims_blocks: Stats,
}

impl Returned {
    fn copy(header: &Header, claims: &Claims) -> Returned {
        let (header, header_blocks) = counted(|| header.clone());
        let (claims, claims_blocks) = counted(|| claims.clone());
        Returned {
            header,
            claims,
            header_blocks,
            claims_blocks,
        }
    }

    /// Blocks and bytes of the header and the claims together.
    fn total(&self) -> (usize, usize) {
        (
            self.header_blocks.allocations + self.claims_blocks.allocations,
            self.header_blocks.bytes_allocated + self.claims_blocks.bytes_allocated,
        )
    }
}

#[test]
fn verification_allocates_only_the_returned_header_and_claims() {
    let set = JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the test key set");
    for case in [Case::Rs256_2048, Case::Es256] {
        let label = case.label();
        let fixture = Fixture::new(case);
        let token = fixture.token();
        let validation = fixture.validation();

        // What a verification returns, and what its blocks cost.
        let verified = set
            .verify_jwt(token, &validation)
            .expect("the fixture verifies");
        let returned = Returned::copy(verified.header(), verified.claims());
        let (header_blocks, claims_blocks) = (returned.header_blocks, returned.claims_blocks);
        // The header owns one block, its decoded JSON; the claims, a map with a node,
        // nine names and six string values.
        assert!(header_blocks.allocations >= 1, "{label}: {header_blocks:?}");
        assert!(
            claims_blocks.allocations >= 10,
            "{label}: {claims_blocks:?}"
        );

        // 1. Parsing: the header's blocks and nothing else. The header JSON is decoded
        //    on the stack; the payload and signature are only validated.
        let (jws, parse) = counted(|| CompactJws::parse(token, validation.limits()));
        let jws = jws.expect("the fixture parses");
        assert_eq!(jws.header(), &returned.header);
        assert_eq!(
            parse.allocations, header_blocks.allocations,
            "{label}: {parse:?}"
        );
        assert_eq!(
            parse.bytes_allocated, header_blocks.bytes_allocated,
            "{label}"
        );
        assert_eq!(
            (parse.deallocations, parse.reallocations),
            (0, 0),
            "{label}"
        );

        // 2. The whole verification path but the signature math: the header's and the
        //    claims' blocks, all freed again because the bench entry point drops what it
        //    built. The header JSON, payload and signature are decoded on the stack.
        let (result, path) = counted(|| {
            bench_verify_jwt_without_signature(token, &validation, |h| {
                Ok::<_, jose_core::Error>(set.candidates(h))
            })
        });
        assert_eq!(result, Ok(()), "{label}");
        let (blocks, bytes) = returned.total();
        assert_eq!(path.allocations, blocks, "{label}: {path:?}");
        assert_eq!(path.bytes_allocated, bytes, "{label}");
        assert_eq!(path.deallocations, path.allocations, "{label}");
        assert_eq!(path.reallocations, 0, "{label}");

        eprintln!(
            "{label}: parse {} blocks / {} bytes (header clone {} / {}); whole path {} \
             blocks / {} bytes (header and claims clones {blocks} / {bytes})",
            parse.allocations,
            parse.bytes_allocated,
            header_blocks.allocations,
            header_blocks.bytes_allocated,
            path.allocations,
            path.bytes_allocated,
        );
    }

    for case in Case::ALL {
        let label = case.label();
        let fixture = Fixture::new(case);
        let validation = fixture.validation();
        let verify = || jose_core::verify_jwt(fixture.token(), fixture.key(), &validation);
        // Two verifications first: the second builds an ES256 key's table.
        let warm = verify()
            .and_then(|_| verify())
            .expect("the fixture verifies");
        let returned = Returned::copy(warm.header(), warm.claims());
        let (verified, whole) = counted(verify);
        let verified = verified.expect("the fixture verifies");
        assert_eq!(
            (verified.header(), verified.claims()),
            (&returned.header, &returned.claims)
        );
        let (blocks, bytes) = returned.total();
        assert_eq!(whole.allocations, blocks, "{label}: {whole:?}");
        assert_eq!(whole.bytes_allocated, bytes, "{label}");
        assert_eq!(
            (whole.deallocations, whole.reallocations),
            (0, 0),
            "{label}"
        );
        eprintln!("{label}: whole verification {blocks} blocks / {bytes} bytes");
    }
}
