//! `broker completions SHELL`: completions generated from the clap definition in `cli.rs`.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Result;
use crate::ui;

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "broker", &mut out);
    ui::print(String::from_utf8_lossy(&out));
    Ok(())
}
