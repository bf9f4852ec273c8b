//! Documentation pages through the importer.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| docmock::fuzzing::page(data));
