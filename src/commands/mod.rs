//! The one-shot commands that read a catalog and print: `check` (every
//! documented example against its own contract), `routes` ([`listing`]) and
//! `openapi`.
//!
//! They compose [`crate::contract`] and [`crate::answer`]; none of them
//! listens on a socket, so none imports [`crate::serve`].

pub mod check;
pub mod listing;
pub mod openapi;
