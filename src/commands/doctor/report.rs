//! The doctor's report: findings, their rendering (text or JSON) and the exit code.

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Kind, Result, UsageError, sanitize};
use crate::ui;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    /// The verdict as a person reads it (`--json` has the English `status`).
    fn word(self) -> String {
        match self {
            Status::Ok => crate::t!("ui-doctor-ok"),
            Status::Warn => crate::t!("ui-doctor-warn"),
            Status::Fail => crate::t!("ui-doctor-fail"),
        }
    }
}

/// One line of the report.
#[derive(Debug, Serialize)]
pub(super) struct Finding {
    check: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
    /// The SPEC §7 family of a failure, for the exit code.
    #[serde(skip)]
    kind: Kind,
}

#[derive(Default)]
pub(super) struct Report(Vec<Finding>);

impl Report {
    pub(super) fn push(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        status: Status,
        detail: impl Into<String>,
        fix: Option<String>,
        kind: Kind,
    ) {
        self.0.push(Finding {
            check,
            profile: profile.map(str::to_owned),
            status,
            detail: detail.into(),
            fix,
            kind,
        });
    }

    pub(super) fn ok(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        detail: impl Into<String>,
    ) {
        self.push(check, profile, Status::Ok, detail, None, Kind::Internal);
    }

    pub(super) fn warn(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let fix = Some(fix.into());
        self.push(check, profile, Status::Warn, detail, fix, Kind::Internal);
    }

    pub(super) fn fail(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        kind: Kind,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.push(check, profile, Status::Fail, detail, Some(fix.into()), kind);
    }

    /// A failure reported by broker's own code: its message, its hint as the fix.
    pub(super) fn fail_with(
        &mut self,
        check: &'static str,
        profile: Option<&str>,
        e: &Error,
        fallback: &str,
    ) {
        let fix = e.hint().unwrap_or_else(|| fallback.to_owned());
        self.fail(check, profile, e.kind(), e.message(), fix);
    }
}

/// Exit 0 unless something failed; then the code of the first failure, as one error line.
pub(super) fn conclude(report: &Report) -> Result<()> {
    let failed: Vec<&Finding> = report
        .0
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    let warned = report.0.iter().filter(|f| f.status == Status::Warn).count();
    let Some(first) = failed.first() else {
        match warned {
            0 => ui::say(crate::t!("ui-doctor-all-well")),
            n => ui::say(crate::t!("ui-doctor-all-well-warnings", count = n)),
        }
        return Ok(());
    };
    let mut names: Vec<String> = failed.iter().map(|f| label(f)).collect();
    names.dedup();
    Err(UsageError::ChecksFailed {
        failed: failed.len(),
        total: report.0.len(),
        checks: names,
        kind: first.kind,
    }
    .into())
}

/// `state[nd]`, or `config`.
fn label(f: &Finding) -> String {
    match &f.profile {
        Some(p) => format!("{}[{p}]", f.check),
        None => f.check.to_owned(),
    }
}

pub(super) fn print(report: &Report, json: bool) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(&report.0).unwrap_or_else(|_| "[]".into());
        return ui::print(format!("{text}\n"));
    }
    let color = ui::color_stdout();
    let words = [Status::Ok, Status::Warn, Status::Fail].map(Status::word);
    // The verdicts line up in display columns (two for a Chinese character).
    let width = words.iter().map(|w| w.width()).max().unwrap_or(0);
    let fix_label = crate::t!("ui-doctor-fix");
    let mut out = String::new();
    for f in &report.0 {
        let word = f.status.word();
        let padded = format!("{word}{}", " ".repeat(width - word.width()));
        let shown = match (color, f.status) {
            (false, _) => padded,
            (true, Status::Ok) => format!("\x1b[{}m{padded}\x1b[0m", ui::style::GREEN),
            (true, Status::Warn) => format!("\x1b[{}m{padded}\x1b[0m", ui::style::YELLOW),
            (true, Status::Fail) => format!("\x1b[{}m{padded}\x1b[0m", ui::style::RED),
        };
        out.push_str(&format!("{shown}  {}: {}\n", label(f), f.detail));
        if let Some(fix) = &f.fix {
            let indent = " ".repeat(width + 2);
            let fix = ui::after_label(&fix_label, fix);
            out.push_str(&format!("{indent}{fix_label}{fix}\n"));
        }
    }
    ui::print(out)
}

/// Paths in messages go through here (a hostile file name cannot forge lines).
pub(super) fn shown(p: &Path) -> String {
    sanitize(&p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: &[(Status, Kind)]) -> Report {
        let mut r = Report::default();
        for (i, (status, kind)) in findings.iter().enumerate() {
            let profile = (i % 2 == 0).then_some("p");
            r.push("check", profile, *status, "detail", None, *kind);
        }
        r
    }

    #[test]
    fn warnings_alone_exit_0() {
        assert!(
            conclude(&report(&[
                (Status::Ok, Kind::Internal),
                (Status::Warn, Kind::Internal)
            ]))
            .is_ok()
        );
    }

    #[test]
    fn the_first_failure_gives_the_exit_code() {
        let r = report(&[
            (Status::Ok, Kind::Internal),
            (Status::Warn, Kind::Internal),
            (Status::Fail, Kind::NeedsPerson),
            (Status::Fail, Kind::Network),
        ]);
        let e = conclude(&r).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.message(), "2 of 4 checks failed: check[p], check");
    }
}
