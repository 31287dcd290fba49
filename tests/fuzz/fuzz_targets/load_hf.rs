#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bpe_fuzz::load_hf(data));
