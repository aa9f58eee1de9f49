//! `broker emulator [--port N]`: serve the local Baidu emulator in the foreground.

use crate::cli::EmulatorArgs;
use crate::error::{Error, Result};

pub(crate) fn run(args: EmulatorArgs) -> Result<()> {
    Ok(broker_emulator::run_foreground(args.port)?)
}

/// The emulator's errors keep their kind's exit code (2 for a port in use, 1 otherwise).
impl From<broker_emulator::Error> for Error {
    fn from(e: broker_emulator::Error) -> Self {
        let error = match e.kind() {
            broker_emulator::ErrorKind::Usage => Error::usage(e.message()),
            broker_emulator::ErrorKind::Internal => Error::internal(e.message()),
        };
        match e.hint() {
            Some(hint) => error.with_hint(hint),
            None => error,
        }
    }
}
