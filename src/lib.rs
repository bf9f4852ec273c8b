//! docmock: a contract-testing mock server generated from vendor API
//! documentation.
//!
//! Three stages, each a folder, with arrows pointing down only:
//!
//! ```text
//! serve/     hyper around `answer`: sockets, workers, admin API, journal, log
//!   |
//! answer/    one request in, one response out, as pure functions:
//!   |        request -> router -> negotiate -> body -> validate -> pipeline
//!   |
//! contract/  what the documentation promises, loaded once:
//!            spec (specs/ + fixtures/) -> catalog (checked, pre-rendered)
//! ```
//!
//! * [`contract`] reads the spec directory: [`contract::spec`] is the on-disk
//!   format, [`contract::catalog`] loads and checks it and renders every
//!   documented response once, [`contract::dialect`] holds each vendor's
//!   conventions and [`contract::render`] writes JSON and XML by them;
//! * [`answer`] maps a [`Request`] to an endpoint ([`answer::router`]),
//!   picks JSON or XML ([`answer::negotiate`]), decodes and validates its
//!   body, and answers it ([`answer::pipeline`], [`Mock`]);
//! * [`serve`] puts hyper around it ([`serve::server`], [`MockServer`]).
//!
//! Two tools sit beside `serve` on the same stages: [`import`] turns
//! documentation pages into a spec directory, and [`verify`] holds a live
//! portal to one. [`proxy`] stands between a client and a portal on top of
//! them all: `serve`'s accept loop and journal, `answer`'s checks of the
//! request, `verify`'s comparison of the answer; [`record`] is the proxy
//! writing what the portal answered into a spec directory, through
//! `import`'s writer. The [`commands`] (`check`, `routes`, `openapi`) read a
//! catalog and print.

pub mod answer;
pub mod commands;
pub mod contract;
#[doc(hidden)]
pub mod files;
pub mod fuzzing;
pub mod import;
pub mod proxy;
pub mod record;
pub mod serve;
pub mod verify;

pub use answer::pipeline::Mock;
pub use answer::request::Request;
pub use answer::router::Mount;
pub use contract::catalog::{Catalog, LoadError, LoadErrors, Source};
pub use serve::mock_server::MockServer;
