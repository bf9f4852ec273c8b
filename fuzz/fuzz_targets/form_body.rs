//! Form-urlencoded request bodies against a schema.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| docmock::fuzzing::form_body(data));
