//! Integration tests of slingshot-listen (one test binary).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bad_input;
mod generated;
mod properties;
mod shared_data;
