//! `broker agent`: one long-lived process that unlocks the identity once, rotates every
//! profile ahead of time and serves tokens over a Unix socket; and the client side that
//! `token`, `env`, `exec` and `inject` use to ask it first (docs/agent.md).
//!
//! ```text
//! protocol.rs  one JSON object per line each way: the request, the answers
//! client.rs    ask the agent, or say there is none (the command then works alone)
//! server.rs    the socket (place, modes, peer check, stale files), the verbs, signals, reloads
//! schedule.rs  rotations ahead of time: jitter, back-off, throttle pauses kept on disk
//! ```

pub mod client;
pub mod protocol;
mod schedule;
pub mod server;

use std::path::{Path, PathBuf};

use crate::env_vars;

/// The socket's file name in the folders it may live in.
const SOCKET_NAME: &str = "agent.sock";

/// Where the agent listens and where clients look for it: `--socket`, else
/// `BROKER_AGENT_SOCK`, else `$XDG_RUNTIME_DIR/broker/agent.sock`, else `agent.sock` in the
/// state folder.
pub fn socket_path(flag: Option<&Path>, state_dir: &Path) -> PathBuf {
    if let Some(path) = flag {
        return path.to_path_buf();
    }
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(path) = var(env_vars::BROKER_AGENT_SOCK) {
        return PathBuf::from(path);
    }
    if let Some(runtime) = var(env_vars::XDG_RUNTIME_DIR) {
        return Path::new(&runtime).join("broker").join(SOCKET_NAME);
    }
    state_dir.join(SOCKET_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_socket_wins() {
        let p = socket_path(Some(Path::new("/tmp/x.sock")), Path::new("/state"));
        assert_eq!(p, Path::new("/tmp/x.sock"));
    }
}
