//! The command-line interface: clap types only, no logic.
