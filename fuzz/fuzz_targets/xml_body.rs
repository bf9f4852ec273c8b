//! XML request bodies, with and without a schema, in both array conventions.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| docmock::fuzzing::xml_body(data));
