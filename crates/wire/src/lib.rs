//! The Baidu wire protocol as broker's client and its emulator share it (baidu-oauth.md):
//! the endpoint paths ([`path`]), the error codes both sides name ([`code`]), the error bodies
//! ([`body`]), bce-auth-v1 signing and parsing of the `Authorization` header ([`sign`]), and
//! the one rule for echoing server text ([`text`]). Each is defined here once.

pub mod body;
pub mod code;
pub mod path;
pub mod sign;
pub mod text;
