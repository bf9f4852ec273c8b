//! docmock: a contract-testing mock server generated from vendor API
//! documentation.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! specs/ + fixtures/ --catalog--> Catalog --router--> Endpoint --pipeline--> JSON | XML bytes
//! ```
//!
//! * [`spec`] is the on-disk format, [`catalog`] loads and checks it and
//!   renders every documented response once;
//! * [`dialect`] holds each vendor's conventions, [`negotiate`] picks JSON or
//!   XML, [`render`] writes both;
//! * [`router`] maps method and path to an endpoint, [`pipeline`] answers a
//!   request as a pure function, [`server`] puts hyper around it.

pub mod admin;
pub mod body;
pub mod catalog;
pub mod check;
pub mod connection;
pub mod dialect;
#[doc(hidden)]
pub mod files;
pub mod fuzzing;
pub mod import;
pub mod journal;
pub mod listing;
pub mod log_sink;
pub mod mock_server;
pub mod negotiate;
pub mod openapi;
pub mod pipeline;
pub mod problem;
pub mod render;
pub mod request_log;
pub mod router;
pub mod schema;
pub mod server;
pub mod shard;
pub mod spec;
mod sync;
pub mod validate;
pub mod verify;
pub mod wall_clock;
pub mod watch;
pub mod workers;

pub use catalog::{Catalog, LoadError, LoadErrors, Source};
pub use mock_server::MockServer;
pub use pipeline::{Mock, Request};
pub use router::Mount;
