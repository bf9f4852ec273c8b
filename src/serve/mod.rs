//! hyper around [`crate::answer`]: sockets, connections, worker threads, the
//! admin API, the request journal and log, and reloading on change.
//!
//! This stage owns everything with a clock or a socket in it. It turns HTTP
//! into [`crate::answer::request::Request`] and the pipeline's answer back
//! into HTTP, and decides nothing about the contract itself: what an answer
//! is belongs to `answer`, what the documentation says to `contract`.
//! Nothing below it (`answer`, `contract`, `import`, `verify`) imports it.

pub mod admin;
pub mod admin_gate;
pub mod connection;
pub mod journal;
pub mod listen;
pub mod log_sink;
pub mod mock_server;
pub mod redact;
pub mod request_log;
pub mod server;
pub mod shard;
mod sync;
pub mod wall_clock;
pub mod watch;
pub mod workers;
