//! Whole requests (method, path, query, headers, body) through the pipeline.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| docmock::fuzzing::request(data));
