//! One request in, one response out, as pure functions.
//!
//! This stage owns what a request is ([`request`]), which endpoint it
//! reaches ([`router`]), which format it is answered in ([`negotiate`]),
//! how its body is decoded ([`body`]) and checked ([`validate`]), and the
//! [`pipeline`] that puts them together as [`pipeline::Mock`].
//!
//! It reads the [`crate::contract`] and never does I/O: no sockets, no
//! clocks, no files, and nothing of [`crate::serve`]. That is what lets
//! `check`, `verify` and the benchmarks run the very code the server runs.

pub mod body;
pub mod negotiate;
pub mod pipeline;
pub mod request;
pub mod router;
pub mod validate;
