//! The message catalog: what broker says to a person, by message id, in Fluent files
//! (`i18n/<lang>/*.ftl`, compiled into the binary).
//!
//! Only failures and explanations come here; a successful `broker token` never parses the
//! catalog (it is parsed on first use, once per process).
//!
//! [`render_record`] turns the record of an error (see [`crate::error`]) into words:
//! - the message `<domain>-<code>`, its facts as variables;
//! - the hint: the record's `hint` object if it has one (`hint-<code>`, its own facts), else
//!   the hint of an error inside it (a `cause`: it knows more), else the message's `.hint`
//!   attribute, else none;
//! - each note in turn (`note-<code>`), with the message so far as `$error`; a note's own
//!   hint replaces the hint.
//!
//! Facts become Fluent variables: an error inside this one as its message, strings as strings, numbers as numbers (for plural
//! selection), `true`/`false` as strings, lists joined, and a missing fact (`null`) as
//! Fluent's "none" value: it shows as nothing and matches no selector key, so a selector on
//! it takes its default variant.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde_json::{Map, Value};

use crate::error::Rendered;

/// The English catalog, one file per domain, in the order they are loaded.
const EN_US: &[(&str, &str)] = &[
    ("usage.ftl", include_str!("../i18n/en-US/usage.ftl")),
    ("config.ftl", include_str!("../i18n/en-US/config.ftl")),
    ("store.ftl", include_str!("../i18n/en-US/store.ftl")),
    ("grant.ftl", include_str!("../i18n/en-US/grant.ftl")),
    ("hooks.ftl", include_str!("../i18n/en-US/hooks.ftl")),
    ("internal.ftl", include_str!("../i18n/en-US/internal.ftl")),
    ("notes.ftl", include_str!("../i18n/en-US/notes.ftl")),
    ("hints.ftl", include_str!("../i18n/en-US/hints.ftl")),
    ("ui.ftl", include_str!("../i18n/en-US/ui.ftl")),
    ("help.ftl", include_str!("../i18n/en-US/help.ftl")),
];

/// Catalog messages that are not errors, notes or hints.
pub const NOT_ERRORS: &[&str] = &[
    "list-separator",
    // Pieces of store messages, referenced by them with the same facts.
    "describe-file",
    "describe-identity",
];

/// The Simplified Chinese catalog: the same files, the same ids.
const ZH_CN: &[(&str, &str)] = &[
    ("ui.ftl", include_str!("../i18n/zh-CN/ui.ftl")),
    ("help.ftl", include_str!("../i18n/zh-CN/help.ftl")),
];

/// A language broker speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    /// The language the environment asks for (SPEC §12).
    fn from_env() -> Lang {
        Lang::En
    }
}

/// The language of this process, decided when a message is first rendered.
pub fn lang() -> Lang {
    static LANG: OnceLock<Lang> = OnceLock::new();
    *LANG.get_or_init(Lang::from_env)
}

type Bundle = FluentBundle<FluentResource>;

/// The catalog of `lang`, parsed on first use.
fn bundle(lang: Lang) -> &'static Bundle {
    static EN: OnceLock<Bundle> = OnceLock::new();
    static ZH: OnceLock<Bundle> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| load("en-US", EN_US)),
        Lang::ZhCn => ZH.get_or_init(|| load("zh-CN", ZH_CN)),
    }
}

fn load(lang: &str, files: &[(&str, &str)]) -> Bundle {
    let id = lang.parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Fluent wraps every variable in Unicode isolation marks by default: they would end up
    // in terminals and logs as invisible characters, and in tests' expected strings.
    bundle.set_use_isolating(false);
    for (name, text) in files {
        // A syntax error in a catalog file is a bug caught by the catalog tests; what parsed
        // is kept, so one bad entry cannot take every message with it.
        let resource = FluentResource::try_new((*text).to_owned()).unwrap_or_else(|(r, errors)| {
            debug_assert!(false, "{name}: {errors:?}");
            r
        });
        if let Err(errors) = bundle.add_resource(resource) {
            debug_assert!(false, "{name}: {errors:?}");
        }
    }
    bundle
}

/// The message `id` with `args` in the language of this process, or `None` if the catalog has
/// no such message.
pub fn message(id: &str, args: &FluentArgs<'_>) -> Option<String> {
    message_in(lang(), id, args)
}

/// [`message`] in `lang`.
pub fn message_in(lang: Lang, id: &str, args: &FluentArgs<'_>) -> Option<String> {
    format(lang, id, None, args)
}

/// A line of the interface (`ui-…`), in the language of this process. Every id the code names
/// is in the catalog (a test reads the code for them), so a missing one is a bug: it shows
/// as its id. See [`t!`](crate::t) for the usual way to call it.
pub fn ui(id: &str, args: &FluentArgs<'_>) -> String {
    ui_in(lang(), id, args)
}

/// [`ui`] in `lang`: English for data (`--json`), and for tests of the other languages.
pub fn ui_in(lang: Lang, id: &str, args: &FluentArgs<'_>) -> String {
    message_in(lang, id, args).unwrap_or_else(|| {
        debug_assert!(false, "no message `{id}` in the catalog");
        id.to_owned()
    })
}

/// A line of the interface by id, its facts as `name = value` (anything a Fluent value
/// converts from: strings, numbers):
/// `t!("ui-status-lease", profile = name.as_str(), holder = h)`; `t!(lang; id, …)` renders
/// in `lang`.
#[macro_export]
macro_rules! t {
    ($lang:expr; $id:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut args = fluent_bundle::FluentArgs::new();
        $( args.set(stringify!($name), fluent_bundle::FluentValue::from($value)); )*
        $crate::catalog::ui_in($lang, $id, &args)
    }};
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::t!($crate::catalog::lang(); $id $(, $name = $value)*)
    };
}

/// Message `id` of `lang`, or its `attribute`, if the catalog has it (help texts).
pub(crate) fn text_in(
    lang: Lang,
    id: &str,
    attribute: Option<&str>,
    args: &FluentArgs<'_>,
) -> Option<String> {
    format(lang, id, attribute, args)
}

/// The attribute `attribute` of message `id` (e.g. its `.hint`), if it has one.
fn attribute(lang: Lang, id: &str, attribute: &str, args: &FluentArgs<'_>) -> Option<String> {
    format(lang, id, Some(attribute), args)
}

/// A message of `lang`, else of English (a catalog being translated); the tests keep the
/// catalogs complete, so the fallback is a safety net.
fn format(lang: Lang, id: &str, attribute: Option<&str>, args: &FluentArgs<'_>) -> Option<String> {
    let bundle = match bundle(lang) {
        b if b.has_message(id) => b,
        _ => bundle(Lang::En),
    };
    let message = bundle.get_message(id)?;
    let pattern = match attribute {
        Some(name) => message.get_attribute(name)?.value(),
        None => message.value()?,
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    // A variable the code did not give is a bug in the catalog or the code; tests run debug
    // builds, so they catch it, and a user still gets the rest of the message.
    debug_assert!(errors.is_empty(), "{id}: {errors:?}");
    Some(text.into_owned())
}

/// The record of an error in words, in the language of this process. See the module doc for
/// the rules.
pub fn render_record(record: &Value) -> Rendered {
    render_record_in(lang(), record)
}

/// [`render_record`] in `lang`: English for data (`--json`), which never changes with the
/// language.
pub fn render_record_in(lang: Lang, record: &Value) -> Rendered {
    let empty = Map::new();
    let map = record.as_object().unwrap_or(&empty);
    let id = format!("{}-{}", text(map, "domain"), text(map, "code"));
    let args = facts(lang, map);
    let mut message = message_in(lang, &id, &args).unwrap_or_else(|| unknown(&id, map));
    let mut hint = match map.get("hint") {
        Some(Value::Object(h)) => hint_message(lang, h),
        _ => None,
    };
    // An error inside this one knows more about what to do than the outer one.
    hint = hint.or_else(|| cause_hint(lang, map));
    hint = hint.or_else(|| attribute(lang, &id, "hint", &args));
    for note in map
        .get("notes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(note) = note.as_object() else {
            continue;
        };
        let id = format!("note-{}", text(note, "note"));
        let mut args = facts(lang, note);
        args.set("error", message.clone());
        if let Some(wrapped) = message_in(lang, &id, &args) {
            message = wrapped;
        }
        let own = match note.get("hint") {
            Some(Value::Object(h)) => hint_message(lang, h),
            _ => attribute(lang, &id, "hint", &args),
        };
        if own.as_deref().is_some_and(|h| !h.trim().is_empty()) {
            hint = own;
        }
    }
    Rendered {
        message: one_line(message),
        hint: hint.filter(|h| !h.trim().is_empty()).map(one_line),
    }
}

fn cause_hint(lang: Lang, map: &Map<String, Value>) -> Option<String> {
    map.values()
        .filter(|v| v.get("domain").is_some())
        .find_map(|v| render_record_in(lang, v).hint)
}

/// A hint record (`{"code": "login", "profile": …}`) in words.
pub fn render_hint(record: &Value) -> Option<String> {
    hint_message(lang(), record.as_object()?)
}

fn hint_message(lang: Lang, hint: &Map<String, Value>) -> Option<String> {
    message_in(
        lang,
        &format!("hint-{}", text(hint, "code")),
        &facts(lang, hint),
    )
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The facts of a record as Fluent variables, by the rules in the module doc. Nested objects
/// (a hint, the notes) are not facts.
fn facts(lang: Lang, map: &Map<String, Value>) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (key, value) in map {
        let value: FluentValue<'static> = match value {
            Value::String(s) => s.clone().into(),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u.into(),
                (None, Some(i)) => i.into(),
                _ => n.as_f64().unwrap_or_default().into(),
            },
            Value::Bool(b) => b.to_string().into(),
            Value::Null => FluentValue::None,
            Value::Array(items) => list(lang, items).into(),
            // An error inside this one (a `cause`): its message.
            Value::Object(inner) if inner.contains_key("domain") => {
                render_record_in(lang, value).message.into()
            }
            Value::Object(_) => continue,
        };
        args.set(key.clone(), value);
    }
    args
}

/// A list fact, joined the catalog's way (`list-separator`).
fn list(lang: Lang, items: &[Value]) -> String {
    let separator =
        message_in(lang, "list-separator", &FluentArgs::new()).unwrap_or_else(|| ", ".into());
    let items: Vec<String> = items
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    items.join(&separator)
}

/// An error the catalog has no words for (a record from a newer broker, read from the
/// state): its id and facts, which is still better than nothing.
fn unknown(id: &str, map: &Map<String, Value>) -> String {
    let facts: Vec<String> = map
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "domain" | "code" | "notes") && !v.is_object())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if facts.is_empty() {
        id.to_owned()
    } else {
        format!("{id} ({})", facts.join(", "))
    }
}

/// Folds text onto one line so an error is always exactly one line on stderr.
fn one_line(s: String) -> String {
    if s.contains(['\n', '\r']) {
        s.split(['\n', '\r'])
            .filter(|l| !l.trim().is_empty())
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        s
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Every message id in the English catalog, with the file it is in.
    pub(crate) fn ids() -> Vec<(String, &'static str)> {
        let mut ids = Vec::new();
        for (name, text) in EN_US {
            let resource = FluentResource::try_new((*text).to_owned())
                .unwrap_or_else(|(_, e)| panic!("{name} does not parse: {e:?}"));
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(m) = entry {
                    ids.push((m.id.name.to_owned(), *name));
                }
            }
        }
        ids
    }

    #[test]
    fn every_catalog_file_parses_and_no_id_is_defined_twice() {
        let ids = ids();
        let mut seen = std::collections::HashSet::new();
        for (id, file) in &ids {
            assert!(
                seen.insert(id.clone()),
                "`{id}` defined twice (again in {file})"
            );
        }
        // Loading checks the same through Fluent itself (overrides are errors there).
        let _ = load("en-US", EN_US);
    }

    /// Each message and attribute of `text` with the variables it uses and its plain text.
    fn entries(text: &str) -> BTreeMap<String, (BTreeSet<String>, String)> {
        use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
        fn walk(p: &Pattern<&str>, vars: &mut BTreeSet<String>, plain: &mut String) {
            for e in &p.elements {
                match e {
                    PatternElement::TextElement { value } => plain.push_str(value),
                    PatternElement::Placeable { expression } => expr(expression, vars, plain),
                }
            }
        }
        fn expr(e: &Expression<&str>, vars: &mut BTreeSet<String>, plain: &mut String) {
            match e {
                Expression::Inline(i) => inline(i, vars, plain),
                Expression::Select { selector, variants } => {
                    inline(selector, vars, plain);
                    for v in variants {
                        walk(&v.value, vars, plain);
                    }
                }
            }
        }
        fn inline(i: &InlineExpression<&str>, vars: &mut BTreeSet<String>, plain: &mut String) {
            match i {
                InlineExpression::VariableReference { id } => {
                    vars.insert(id.name.to_owned());
                }
                InlineExpression::StringLiteral { value } => plain.push_str(value),
                InlineExpression::Placeable { expression } => expr(expression, vars, plain),
                _ => {}
            }
        }
        let resource = fluent_syntax::parser::parse(text).expect("the file parses");
        let mut out = BTreeMap::new();
        for entry in resource.body {
            let Entry::Message(m) = entry else { continue };
            let mut add = |key: String, p: &Pattern<&str>| {
                let (mut vars, mut plain) = (BTreeSet::new(), String::new());
                walk(p, &mut vars, &mut plain);
                out.insert(key, (vars, plain));
            };
            if let Some(v) = &m.value {
                add(m.id.name.to_owned(), v);
            }
            for a in &m.attributes {
                add(format!("{}.{}", m.id.name, a.id.name), &a.value);
            }
        }
        out
    }

    /// The lines and help of broker in Chinese: the same messages and attributes as the
    /// English, each with the same variables, each with Chinese words in it.
    #[test]
    fn the_chinese_interface_files_match_the_english_ones() {
        let zh: BTreeMap<&str, &str> = ZH_CN.iter().copied().collect();
        for (name, english) in EN_US
            .iter()
            .filter(|(n, _)| matches!(*n, "ui.ftl" | "help.ftl"))
        {
            let english = entries(english);
            let chinese = entries(zh.get(name).unwrap_or_else(|| panic!("no zh-CN/{name}")));
            let ids = |m: &BTreeMap<String, _>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(
                ids(&chinese),
                ids(&english),
                "zh-CN/{name}: not the same ids"
            );
            for (id, (vars, _)) in &english {
                let (zh_vars, plain) = &chinese[id];
                assert_eq!(zh_vars, vars, "zh-CN/{name}: `{id}` has other variables");
                let only_placeables = plain.trim().is_empty();
                assert!(
                    only_placeables
                        || plain
                            .chars()
                            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "zh-CN/{name}: `{id}` has no Chinese: {plain:?}"
                );
            }
        }
        // And Fluent loads them.
        let _ = load("zh-CN", ZH_CN);
    }

    /// Every line of the interface renders in both languages, its variables given (a number
    /// where the English selects on one), without a Fluent error; the Chinese one in Chinese.
    #[test]
    fn every_interface_line_renders_in_both_languages() {
        let english = EN_US.iter().find(|(n, _)| *n == "ui.ftl").unwrap().1;
        for (id, (vars, _)) in entries(english) {
            if id.contains('.') {
                continue;
            }
            let mut args = FluentArgs::new();
            for v in &vars {
                args.set(v.clone(), FluentValue::from(2));
            }
            for lang in [Lang::En, Lang::ZhCn] {
                let bundle = bundle(lang);
                let message = bundle.get_message(&id).expect("in both catalogs");
                let mut errors = Vec::new();
                let text =
                    bundle.format_pattern(message.value().unwrap(), Some(&args), &mut errors);
                assert!(errors.is_empty(), "{lang:?} `{id}`: {errors:?}");
                let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                assert_eq!(chinese, lang == Lang::ZhCn, "{lang:?} `{id}`: {text}");
            }
        }
    }

    /// Every `ui-…` id the code names (as a string literal), by reading src/.
    fn ui_ids_in_the_code() -> BTreeSet<String> {
        fn visit(dir: &std::path::Path, out: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let code = std::fs::read_to_string(&path).unwrap();
                    for piece in code.split("\"ui-").skip(1) {
                        let id: String = piece
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                            .collect();
                        if !id.is_empty() && piece[id.len()..].starts_with('"') {
                            out.insert(format!("ui-{id}"));
                        }
                    }
                }
            }
        }
        let mut out = BTreeSet::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    /// The `ui-` lines: none the code names is missing, none in the catalog is unused.
    #[test]
    fn the_catalog_and_the_code_name_the_same_ui_lines() {
        let code = ui_ids_in_the_code();
        let catalog: BTreeSet<String> = ids()
            .into_iter()
            .filter(|(_, file)| *file == "ui.ftl")
            .map(|(id, _)| id)
            .collect();
        let missing: Vec<_> = code.difference(&catalog).collect();
        let unused: Vec<_> = catalog.difference(&code).collect();
        assert!(missing.is_empty(), "not in i18n/en-US/ui.ftl: {missing:?}");
        assert!(
            unused.is_empty(),
            "in i18n/en-US/ui.ftl but never used: {unused:?}"
        );
    }

    #[test]
    fn facts_become_variables_by_type() {
        let record = serde_json::json!({
            "a": null, "n": 3, "b": true, "l": ["x", "y"], "s": "t", "hint": {"code": "login"}
        });
        let args = facts(Lang::En, record.as_object().unwrap());
        assert!(matches!(args.get("a"), Some(FluentValue::None)));
        assert_eq!(args.get("n"), Some(&FluentValue::from(3u64)));
        assert_eq!(args.get("b"), Some(&FluentValue::from("true")));
        assert_eq!(args.get("l"), Some(&FluentValue::from("x, y")));
        assert_eq!(args.get("s"), Some(&FluentValue::from("t")));
        assert_eq!(args.get("hint"), None);
        // A number selects by plural category or exact value.
        let none =
            serde_json::json!({"code": "profiles", "names": [], "count": 0, "grants": "a|b"});
        assert!(render_hint(&none).unwrap().starts_with("no profiles yet"));
        let two = serde_json::json!({"code": "profiles", "names": ["p", "q"], "count": 2, "grants": "a|b"});
        assert_eq!(render_hint(&two).unwrap(), "profiles: p, q");
    }

    #[test]
    fn a_record_from_a_newer_broker_still_says_something() {
        let record = serde_json::json!({"domain": "grant", "code": "from-the-future", "n": 3});
        assert_eq!(
            render_record(&record).message,
            "grant-from-the-future (n=3)"
        );
    }

    #[test]
    fn messages_are_folded_to_one_line() {
        assert_eq!(
            one_line("first\nsecond\r\nthird".into()),
            "first; second; third"
        );
    }
}
