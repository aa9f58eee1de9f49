//! `broker emulator [--port N]`: serve the local Baidu emulator in the foreground.

use crate::cli::EmulatorArgs;
use crate::error::{Error, Result, UsageError};

pub(crate) fn run(args: EmulatorArgs) -> Result<()> {
    Ok(broker_emulator::run_foreground(args.port)?)
}

/// The emulator's errors keep their kind's exit code (2 for a port in use, 1 otherwise).
impl From<broker_emulator::Error> for Error {
    fn from(e: broker_emulator::Error) -> Self {
        UsageError::Emulator {
            message: e.message().to_owned(),
            hint: e.hint().map(str::to_owned),
            internal: matches!(e.kind(), broker_emulator::ErrorKind::Internal),
        }
        .into()
    }
}
