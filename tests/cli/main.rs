//! Integration tests: the real `broker` binary in a temporary home, against the emulator.

mod harness;

mod config;
mod demo;
mod grants;
mod profiles;
mod rotation;
mod secrets;
