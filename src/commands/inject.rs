//! `broker inject [-i FILE] [-o FILE]`: a template (stdin by default) with each
//! `{{ broker://PROFILE/FIELD }}` replaced by that value, to stdout or to a file written
//! atomically with mode 0600. Every reference is checked, and every token obtained (through
//! the token service: rotated when due, with the profile's sinks and hooks, as `broker token`
//! does), before a byte is written: a bad reference leaves no file, and an old one unchanged.
//! Also the resolver `broker run` shares.

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use crate::cli::InjectArgs;
use crate::commands::Context;
use crate::config::Config;
use crate::error::{Error, IoOp, Result};
use crate::export::reference::{Piece, Reference, parse_template};
use crate::profile::ProfileName;
use crate::rotate::Policy;
use crate::service::OnHookFailure;
use crate::store::TokenState;
use crate::ui;

pub(crate) fn run(ctx: &Context, args: InjectArgs) -> Result<()> {
    let template = read_template(args.input.as_deref())?;
    let cfg = ctx.config()?;
    let rendered = render(ctx, &cfg, &template)?;
    match &args.output {
        Some(path) => crate::store::atomic::write(path, rendered.as_bytes(), 0o600),
        None => ui::print(rendered.as_str()),
    }
}

/// The template: FILE, or stdin.
fn read_template(input: Option<&Path>) -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    match input {
        Some(path) => std::fs::File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| Error::io(IoOp::Read, path, e))?,
        None => std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io(IoOp::Read, Path::new("-"), e))?,
    };
    Ok(text)
}

/// `template` with its references replaced.
fn render(ctx: &Context, cfg: &Config, template: &str) -> Result<Zeroizing<String>> {
    let pieces = parse_template(template)?;
    let refs: Vec<&Reference> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Reference(r) => Some(r),
            Piece::Text(_) => None,
        })
        .collect();
    let values = resolve(ctx, cfg, &refs)?;
    let mut out = Zeroizing::new(String::with_capacity(template.len()));
    let mut values = values.iter();
    for piece in &pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Reference(_) => out.push_str(values.next().map_or("", |v| v.as_str())),
        }
    }
    Ok(out)
}

/// The value of each reference, in order. All are checked (profile known, field of its grant)
/// before any token is asked for; each profile's token is then obtained once.
pub(crate) fn resolve(
    ctx: &Context,
    cfg: &Config,
    refs: &[&Reference],
) -> Result<Vec<Zeroizing<String>>> {
    for r in refs {
        r.check(cfg.profile(&r.profile)?)?;
    }
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let store = ctx.store(cfg);
    let service = ctx.service(cfg, &store);
    let mut states: Vec<(&ProfileName, TokenState)> = Vec::new();
    let mut values = Vec::with_capacity(refs.len());
    for r in refs {
        let profile = cfg.profile(&r.profile)?;
        let i = match states.iter().position(|(n, _)| *n == &r.profile) {
            Some(i) => i,
            None => {
                let policy = Policy {
                    min_ttl: profile.refresh_before.0,
                    explicit: false,
                    force: false,
                    timeout: cfg.settings.timeout.0,
                    rejected: None,
                };
                let outcome = service.serve(profile, policy, OnHookFailure::Warn, |_| Ok(()))?;
                states.push((&r.profile, outcome.into_state()));
                states.len() - 1
            }
        };
        values.push(r.field.value(profile, &states[i].1));
    }
    Ok(values)
}
