//! The wire: the HTTP token client, Baidu error bodies, and bce-auth-v1 signing.

pub mod client;
pub mod error;
pub mod sign;
