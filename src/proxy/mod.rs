//! `docmock proxy`: between a client and a live portal, every exchange
//! forwarded unchanged and checked against the documentation both ways.

pub mod exchange;
