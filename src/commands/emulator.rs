//! `broker emulator [--port N]`: serve the local Baidu emulator in the foreground.

use crate::cli::EmulatorArgs;
use crate::error::Result;

pub fn run(args: EmulatorArgs) -> Result<()> {
    crate::emulator::run_foreground(args.port)
}
