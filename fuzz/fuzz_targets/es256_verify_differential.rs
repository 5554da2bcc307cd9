#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jose_fuzz::es256_verify_differential(data));
