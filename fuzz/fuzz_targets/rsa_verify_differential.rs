#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jose_fuzz::rsa_verify_differential(data));
