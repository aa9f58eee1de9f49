//! Integration tests: the real `broker` binary in a temporary home, against the emulator.

mod harness;

mod ci;
mod config;
mod demo;
mod exec;
mod grants;
mod hooks;
mod output;
mod profiles;
mod rotation;
mod secrets;
mod shell;
