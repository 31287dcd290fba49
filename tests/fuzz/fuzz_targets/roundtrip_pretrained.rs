#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| bpe_fuzz::roundtrip_pretrained(data));
