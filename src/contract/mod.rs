//! What the documentation promises, loaded once.
//!
//! This stage owns the on-disk spec format ([`spec`]), each vendor's
//! conventions ([`dialect`]), the XML tree that documented examples and
//! request bodies are read into ([`xml`]), the JSON and XML writer
//! ([`render`]), the JSON Schemas a request is held to ([`schema`]), the
//! vendor-neutral error ([`problem`]), and the [`catalog`] that loads and
//! checks a spec directory and renders every documented response once.
//!
//! It knows nothing of requests in flight: nothing here imports
//! [`crate::answer`] or [`crate::serve`]. Within the stage the arrows point
//! one way too: `problem` and `xml` import nothing of the crate, `dialect`
//! builds on them, `render` on `dialect`, `spec` on those, `schema` on
//! `spec`, and `catalog` on all of them.

pub mod catalog;
pub mod dialect;
pub mod problem;
pub mod render;
pub mod schema;
pub mod spec;
pub mod xml;
