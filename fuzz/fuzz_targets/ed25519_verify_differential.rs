#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jose_fuzz::ed25519_verify_differential(data));
