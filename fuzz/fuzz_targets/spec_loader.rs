//! Endpoint spec files through the loader.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| docmock::fuzzing::spec_file(data));
