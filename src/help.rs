//! `--help` in the language of the person reading it.
//!
//! The English help is written once, as the doc comments of `cli.rs` (the man page and the
//! completions' descriptions come from there too, and stay English). `i18n/en-US/help.ftl`
//! holds the same texts under catalog ids, so that other languages translate them as any
//! other message; a test keeps the two identical (and can write the file again).
//!
//! Ids: `help-broker` for broker itself, `help-<command path>` for a command
//! (`help-profile-add`), `help-<command>-<argument>` for an argument (`help-profile-add-grant`;
//! broker's own arguments under `help-broker-…`); a long text is the `.long` attribute, the
//! text after the options `.after`. Texts clap adds itself are `help-clap-…`.
//!
//! A normal run parses with the plain English `Command`: only when clap is about to show help
//! and the language is not English is the `Command` built again with the catalog's texts.

use clap::{Arg, Command, CommandFactory};
use fluent_bundle::FluentArgs;

use crate::catalog::{self, Lang};

/// The catalog id of the command at `path` (names below broker itself).
fn command_id(path: &[String]) -> String {
    if path.is_empty() {
        "help-broker".to_owned()
    } else {
        format!("help-{}", path.join("-"))
    }
}

fn arg_id(command: &str, arg: &Arg) -> String {
    format!("{command}-{}", arg.get_id().as_str().replace('_', "-"))
}

/// A text of the catalog in `lang`: message `id`, or its attribute.
fn text(lang: Lang, id: &str, attribute: Option<&str>) -> Option<String> {
    catalog::text_in(lang, id, attribute, &FluentArgs::new())
}

/// broker's `Command`, its help in `lang`. Built whole (clap's own `--help` flags and `help`
/// command exist only then), so it costs a few milliseconds: only for showing help.
pub fn command_in(lang: Lang) -> Command {
    let mut cmd = localize(crate::cli::Cli::command(), lang, &mut Vec::new());
    cmd.build();
    clap_texts(&mut cmd, lang);
    cmd
}

fn localize(mut cmd: Command, lang: Lang, path: &mut Vec<String>) -> Command {
    let id = command_id(path);
    if let Some(about) = text(lang, &id, None) {
        cmd = cmd.about(about);
    }
    if let Some(long) = text(lang, &id, Some("long")) {
        cmd = cmd.long_about(long);
    }
    if let Some(after) = text(lang, &id, Some("after")) {
        cmd = cmd.after_help(after);
    }
    let mut usage = text(lang, "help-clap-usage", None).unwrap_or_else(|| "Usage:".into());
    // A full-width colon has its space built in.
    if !usage.ends_with('：') {
        usage.push(' ');
    }
    // clap's own template, with its word for "Usage:" (it has no hook for that word alone).
    cmd = cmd
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage}{{usage}}\n\n{{all-args}}{{after-help}}"
        ))
        .subcommand_help_heading(text(lang, "help-clap-commands", None).unwrap_or_default());
    let options = text(lang, "help-clap-options", None).unwrap_or_default();
    let arguments = text(lang, "help-clap-arguments", None).unwrap_or_default();
    cmd = cmd.mut_args(|mut arg| {
        let aid = arg_id(&id, &arg);
        if let Some(help) = text(lang, &aid, None) {
            arg = arg.help(help);
        }
        if let Some(long) = text(lang, &aid, Some("long")) {
            arg = arg.long_help(long);
        }
        if arg.get_help_heading().is_none() {
            let heading = if arg.is_positional() {
                &arguments
            } else {
                &options
            };
            arg = arg.help_heading(heading.clone());
        }
        arg
    });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        path.push(name.clone());
        cmd = cmd.mut_subcommand(&name, |s| localize(s, lang, path));
        path.pop();
    }
    cmd
}

/// The texts clap adds to a built `Command`: `-h`, `-V` and the `help` command.
fn clap_texts(cmd: &mut Command, lang: Lang) {
    let options = text(lang, "help-clap-options", None).unwrap_or_default();
    let mut c = std::mem::take(cmd);
    for (arg, id) in [("help", "help-clap-help"), ("version", "help-clap-version")] {
        if c.get_arguments().any(|a| a.get_id() == arg) {
            let long = c
                .get_arguments()
                .any(|a| a.get_id() == arg && a.get_long_help().is_some());
            c = c.mut_arg(arg, |a| {
                let a = a.help_heading(options.clone());
                match text(lang, id, None) {
                    Some(help) if long => a
                        .help(text(lang, id, Some("more")).unwrap_or(help.clone()))
                        .long_help(text(lang, id, Some("summary")).unwrap_or(help)),
                    Some(help) => a.help(help),
                    None => a,
                }
            });
        }
    }
    if let Some(about) = text(lang, "help-clap-help-command", None) {
        for sub in c.get_subcommands_mut().filter(|s| s.get_name() == "help") {
            let mut s = std::mem::take(sub);
            s = s.about(about.clone());
            *sub = s;
        }
    }
    for sub in c.get_subcommands_mut() {
        clap_texts(sub, lang);
    }
    *cmd = c;
}

/// Every help text of the definitions in `cli.rs`, by catalog id and attribute.
#[cfg(test)]
pub(crate) fn texts(
    cmd: &Command,
    path: &mut Vec<String>,
) -> Vec<(String, Option<&'static str>, String)> {
    let id = command_id(path);
    let mut out = Vec::new();
    let mut push = |id: &str, attr, s: Option<&clap::builder::StyledStr>| {
        if let Some(s) = s {
            out.push((id.to_owned(), attr, s.to_string()));
        }
    };
    push(&id, None, cmd.get_about());
    push(&id, Some("long"), cmd.get_long_about());
    push(&id, Some("after"), cmd.get_after_help());
    for arg in cmd.get_arguments() {
        let aid = arg_id(&id, arg);
        push(&aid, None, arg.get_help());
        push(&aid, Some("long"), arg.get_long_help());
    }
    for sub in cmd.get_subcommands() {
        path.push(sub.get_name().to_owned());
        out.extend(texts(sub, path));
        path.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `texts` as a Fluent file: what `i18n/en-US/help.ftl` must be.
    fn english_catalog() -> String {
        let mut out = String::from(
            "# broker's `--help`, from the doc comments of src/cli.rs (a test keeps this file equal\n\
             # to them: `cargo test write_the_english_help_catalog -- --ignored` writes it again).\n\
             # Ids: see src/help.rs.\n",
        );
        let mut last = String::new();
        for (id, attr, text) in texts(&crate::cli::Cli::command(), &mut Vec::new()) {
            if id != last {
                out.push('\n');
                out.push_str(&id);
                if attr.is_some() {
                    // A message of attributes only is valid Fluent; none of broker's is.
                    out.push_str(" =");
                }
                last = id.clone();
            }
            match attr {
                None => out.push_str(&format!(" ={}", fluent_text(&text, "    "))),
                Some(a) => out.push_str(&format!("\n    .{a} ={}", fluent_text(&text, "        "))),
            }
        }
        out.push_str(CLAP_TEXTS);
        out
    }

    /// The English of the texts clap adds itself.
    const CLAP_TEXTS: &str = "
help-clap-usage = Usage:
help-clap-commands = Commands
help-clap-options = Options
help-clap-arguments = Arguments
help-clap-help = Print help
    .more = Print help (see more with '--help')
    .summary = Print help (see a summary with '-h')
help-clap-version = Print version
help-clap-help-command = Print this message or the help of the given subcommand(s)
";

    /// A text as a Fluent pattern: on the same line when it is one line, else as indented
    /// lines; braces and a line starting with a Fluent sign are quoted.
    fn fluent_text(text: &str, indent: &str) -> String {
        let lines: Vec<String> = text
            .split('\n')
            .map(|l| {
                let l = l
                    .replace('{', "\u{0}")
                    .replace('}', "{\"}\"}")
                    .replace('\u{0}', "{\"{\"}");
                match l.chars().next() {
                    Some(c @ ('[' | '*' | '.')) => format!("{{\"{c}\"}}{}", &l[1..]),
                    _ => l,
                }
            })
            .collect();
        if lines.len() == 1 {
            format!(" {}", lines[0])
        } else {
            let mut s = String::new();
            for l in lines {
                s.push('\n');
                if !l.is_empty() {
                    s.push_str(indent);
                    s.push_str(&l);
                }
            }
            s
        }
    }

    #[test]
    fn the_english_help_catalog_is_the_doc_comments_of_cli_rs() {
        let file = include_str!("../i18n/en-US/help.ftl");
        assert!(
            file == english_catalog(),
            "i18n/en-US/help.ftl differs from src/cli.rs: run \
             `cargo test write_the_english_help_catalog -- --ignored` and translate what changed"
        );
        // And Fluent reads back exactly the clap texts.
        for (id, attr, text) in texts(&crate::cli::Cli::command(), &mut Vec::new()) {
            assert_eq!(
                super::text(Lang::En, &id, attr).as_deref(),
                Some(text.as_str()),
                "{id} {attr:?}"
            );
        }
    }

    #[test]
    #[ignore = "writes i18n/en-US/help.ftl"]
    fn write_the_english_help_catalog() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/en-US/help.ftl");
        std::fs::write(path, english_catalog()).unwrap();
    }

    fn help_of(lang: Lang, args: &[&str]) -> String {
        let e = command_in(lang)
            .try_get_matches_from(args)
            .expect_err("help is an error to clap");
        assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp);
        e.render().to_string()
    }

    #[test]
    fn english_help_is_unchanged_by_the_catalog() {
        for args in [
            &["broker", "--help"][..],
            &["broker", "profile", "add", "-h"],
        ] {
            let plain = crate::cli::Cli::command()
                .try_get_matches_from(args)
                .unwrap_err()
                .render()
                .to_string();
            assert_eq!(help_of(Lang::En, args), plain);
        }
    }

    #[test]
    fn chinese_help_is_chinese() {
        let top = help_of(Lang::ZhCn, &["broker", "--help"]);
        assert!(top.contains("百度"), "{top}");
        assert!(top.contains("用法：broker [OPTIONS] <COMMAND>"), "{top}");
        assert!(top.contains("打印帮助"), "{top}");
        assert!(!top.contains("Print help"), "{top}");
        assert!(!top.contains("Options:"), "{top}");
        let add = help_of(Lang::ZhCn, &["broker", "profile", "add", "--help"]);
        assert!(add.contains("--grant"), "{add}");
        assert!(!add.contains("Print"), "{add}");
    }
}

/// clap's usage errors (an unknown flag, a bad value, a missing argument…) in the words of
/// the catalog (`ui-clap-…`), for a language other than English; kinds it has no words for
/// keep clap's own. Used only on the error path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Localized;

impl clap::error::ErrorFormatter for Localized {
    fn format_error(error: &clap::error::Error<Self>) -> clap::builder::StyledStr {
        use clap::error::{ContextKind, ErrorKind};
        let get = |kind: ContextKind| error.get(kind).map(ToString::to_string).unwrap_or_default();
        let arg = get(ContextKind::InvalidArg);
        let value = get(ContextKind::InvalidValue);
        let line = match error.kind() {
            ErrorKind::UnknownArgument => crate::t!("ui-clap-unknown-argument", arg = arg),
            ErrorKind::InvalidSubcommand => crate::t!(
                "ui-clap-unknown-command",
                command = get(ContextKind::InvalidSubcommand)
            ),
            ErrorKind::InvalidValue | ErrorKind::ValueValidation => crate::t!(
                "ui-clap-invalid-value",
                arg = arg,
                value = value,
                valid = get(ContextKind::ValidValue)
            ),
            ErrorKind::MissingRequiredArgument => crate::t!("ui-clap-missing-argument", arg = arg),
            ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                crate::t!("ui-clap-missing-command")
            }
            ErrorKind::ArgumentConflict => crate::t!(
                "ui-clap-conflict",
                arg = arg,
                other = get(ContextKind::PriorArg)
            ),
            ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
                crate::t!("ui-clap-value-count", arg = arg)
            }
            // Kinds `localized_error` does not hand over; clap's own short description.
            kind => kind.as_str().unwrap_or_default().to_owned(),
        };
        let mut out = crate::t!("ui-clap-error", message = line);
        out.push('\n');
        let tip = match (
            get(ContextKind::SuggestedArg),
            get(ContextKind::SuggestedSubcommand),
        ) {
            (a, _) if !a.is_empty() => Some(a),
            (_, s) if !s.is_empty() => Some(s),
            _ => None,
        };
        if let Some(near) = tip {
            out.push_str(&format!(
                "\n  {}\n",
                crate::t!("ui-clap-did-you-mean", near = near)
            ));
        }
        let usage = get(ContextKind::Usage);
        if !usage.is_empty() {
            // clap writes its own English word before the usage line here.
            let word = text(catalog::lang(), "help-clap-usage", None);
            let usage = match (usage.strip_prefix("Usage: "), word) {
                (Some(rest), Some(word)) if word.ends_with('：') => format!("{word}{rest}"),
                (Some(rest), Some(word)) => format!("{word} {rest}"),
                _ => usage,
            };
            out.push_str(&format!("\n{usage}\n"));
        }
        out.push_str(&format!("\n{}\n", crate::t!("ui-clap-more")));
        clap::builder::StyledStr::from(out)
    }
}

/// A usage error clap reported, in `lang`: the command is parsed again, built with the
/// catalog's texts, so the usage line is localized too; `None` if that parse does not fail
/// the same way.
pub(crate) fn localized_error(
    e: &clap::Error,
    lang: Lang,
    args: &[std::ffi::OsString],
) -> Option<clap::error::Error<Localized>> {
    use clap::error::ErrorKind::*;
    let worded = matches!(
        e.kind(),
        UnknownArgument
            | InvalidSubcommand
            | InvalidValue
            | ValueValidation
            | MissingRequiredArgument
            | MissingSubcommand
            | DisplayHelpOnMissingArgumentOrSubcommand
            | ArgumentConflict
            | TooManyValues
            | WrongNumberOfValues
            | TooFewValues
    );
    match command_in(lang).try_get_matches_from(args) {
        Err(again) if worded && again.kind() == e.kind() => Some(again.apply::<Localized>()),
        _ => None,
    }
}
