//! What the verified-token cache reports to the `metrics` facade (feature `metrics`; the
//! table is in jose-fetch's crate docs). Call sites are the same with and without the
//! feature: without it these functions do nothing. No label: a counter per event.

#[cfg(feature = "metrics")]
mod imp {
    use metrics::counter;

    pub(crate) fn cache_hit() {
        counter!("jose_token_cache_hits_total").increment(1);
    }

    pub(crate) fn cache_miss() {
        counter!("jose_token_cache_misses_total").increment(1);
    }

    pub(crate) fn cache_insert() {
        counter!("jose_token_cache_inserts_total").increment(1);
    }

    pub(crate) fn cache_eviction() {
        counter!("jose_token_cache_evictions_total").increment(1);
    }
}

#[cfg(not(feature = "metrics"))]
mod imp {
    pub(crate) fn cache_hit() {}
    pub(crate) fn cache_miss() {}
    pub(crate) fn cache_insert() {}
    pub(crate) fn cache_eviction() {}
}

pub(crate) use imp::*;
