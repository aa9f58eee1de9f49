//! Integration tests: the real `broker` binary in a temporary home, against the emulator.

mod harness;

mod browser;
mod ci;
mod clock;
mod config;
mod crash;
mod demo;
mod doctor;
mod exec;
mod grants;
mod hooks;
mod hostile;
mod leaks;
mod output;
mod profiles;
mod readme;
mod recovery;
mod rotation;
mod secrets;
mod shell;
mod snapshots;
