//! `broker watch [PROFILE] -- CMD…`: placeholder until events land.

use crate::cli::WatchArgs;
use crate::commands::Context;
use crate::error::{Error, Result};

pub(crate) fn run(_ctx: &Context, _args: WatchArgs) -> Result<()> {
    Err(Error::usage(
        "`broker watch` needs `[store] backend = \"redis\"`",
    ))
}
