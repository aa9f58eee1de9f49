//! `broker agent [--socket PATH]` (the agent itself, in the foreground), `broker agent status
//! [--json]` and `broker agent stop`: the two ask the agent on its socket.

use std::time::Duration;

use serde_json::Value;

use crate::agent::protocol::Request;
use crate::cli::{AgentAction, AgentArgs};
use crate::commands::Context;
use crate::error::{Error, InternalError, Result, UsageError};
use crate::ui;

pub(crate) fn run(ctx: &Context, args: AgentArgs) -> Result<()> {
    let socket = crate::agent::socket_path(args.socket.as_deref(), &ctx.paths.state_dir);
    match args.action {
        None => crate::agent::server::run(ctx.paths.clone(), ctx.flags(), &socket),
        Some(AgentAction::Stop) => {
            ask(&socket, "stop")?;
            ui::say(crate::t!(
                "ui-agent-stopping",
                socket = socket.display().to_string()
            ));
            Ok(())
        }
        Some(AgentAction::Status { json }) => {
            let status = ask(&socket, "status")?;
            if json {
                let profiles = serde_json::json!({ "profiles": status["profiles"] });
                ui::print(format!("{profiles:#}\n"))?;
                return Ok(());
            }
            print_status(&socket, &status)
        }
    }
}

/// The agent's answer to `verb` on `socket`, or exit 2 when none answers.
fn ask(socket: &std::path::Path, verb: &str) -> Result<Value> {
    let not_running = || {
        Error::from(UsageError::AgentNotRunning {
            path: socket.display().to_string(),
        })
    };
    let stream = std::os::unix::net::UnixStream::connect(socket).map_err(|_| not_running())?;
    // Only an agent of this user: a socket another user put at that path is not ours to trust.
    if !crate::agent::server::same_user(&stream) {
        return Err(not_running());
    }
    let request = Request {
        id: Value::from(1),
        verb: verb.to_owned(),
        ..Request::default()
    };
    crate::agent::client::exchange(&stream, &request, Duration::from_secs(10))
        .ok_or_else(not_running)?
        .map_err(|e| {
            Error::from(InternalError::AgentAnswer {
                reason: e["message"].as_str().unwrap_or_default().to_owned(),
            })
        })
}

fn print_status(socket: &std::path::Path, status: &Value) -> Result<()> {
    let mut out = format!(
        "agent pid {} on `{}`, config `{}`\n",
        status["pid"],
        socket.display(),
        status["config"].as_str().unwrap_or_default()
    );
    let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    let rows: Vec<Vec<String>> = status["profiles"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let next = match p["paused_until"].as_str() {
                Some(until) => format!("paused until {until}"),
                None => text(&p["next_rotation"]),
            };
            vec![
                text(&p["profile"]),
                next,
                text(&p["last_rotation"]),
                text(&p["last_error"]),
            ]
        })
        .collect();
    let header = [
        crate::t!("ui-agent-header-profile"),
        crate::t!("ui-agent-header-next"),
        crate::t!("ui-agent-header-last"),
        crate::t!("ui-agent-header-error"),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&ui::table(&header, &rows));
    ui::print(out)?;
    Ok(())
}
