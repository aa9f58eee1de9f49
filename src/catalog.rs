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

use std::cell::Cell;
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
    "line-error",
    "line-hint",
    "attention-item",
    // Pieces of store messages, referenced by them with the same facts.
    "describe-file",
    "describe-identity",
];

/// The Simplified Chinese catalog: the same files, the same ids.
const ZH_CN: &[(&str, &str)] = &[
    ("usage.ftl", include_str!("../i18n/zh-CN/usage.ftl")),
    ("config.ftl", include_str!("../i18n/zh-CN/config.ftl")),
    ("store.ftl", include_str!("../i18n/zh-CN/store.ftl")),
    ("grant.ftl", include_str!("../i18n/zh-CN/grant.ftl")),
    ("hooks.ftl", include_str!("../i18n/zh-CN/hooks.ftl")),
    ("internal.ftl", include_str!("../i18n/zh-CN/internal.ftl")),
    ("notes.ftl", include_str!("../i18n/zh-CN/notes.ftl")),
    ("hints.ftl", include_str!("../i18n/zh-CN/hints.ftl")),
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
    /// The language the environment asks for: `BROKER_LANG`, else the first of `LC_ALL`,
    /// `LC_MESSAGES`, `LANG` that is set and not empty (as POSIX reads them). Any `zh…` locale
    /// (`zh_CN.UTF-8`, `zh-CN`, `zh_TW`, `zh_Hans`) is Simplified Chinese, the only Chinese
    /// broker has; anything else, or nothing, is English.
    fn from_env() -> Lang {
        Lang::from_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_env`] over `get` (the environment, or a test's).
    fn from_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        let set = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        // `BROKER_LANG` is broker's own choice: it wins even over `LC_ALL`, and a value it
        // does not know (`fr`) means English rather than "ask the locale".
        let value = set(crate::env_vars::BROKER_LANG)
            .or_else(|| set("LC_ALL"))
            .or_else(|| set("LC_MESSAGES"))
            .or_else(|| set("LANG"));
        match value {
            Some(v) if Lang::is_chinese(&v) => Lang::ZhCn,
            _ => Lang::En,
        }
    }

    /// `zh`, `zh-CN`, `zh_CN.UTF-8`, `ZH_cn@x`…: the language part (before `_`, `-`, `.` or
    /// `@`) is `zh`, in any case.
    fn is_chinese(value: &str) -> bool {
        let language = value
            .trim()
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or("");
        language.eq_ignore_ascii_case("zh")
    }
}

/// The language of this process, decided when a message is first rendered (a successful
/// `broker token` never asks), or English while [`in_english`] runs on this thread.
pub fn lang() -> Lang {
    if ENGLISH.with(Cell::get) > 0 {
        return Lang::En;
    }
    // Unit tests assert English words whatever the developer's locale; the binary's tests
    // choose the language through the environment.
    if cfg!(test) {
        return Lang::En;
    }
    static LANG: OnceLock<Lang> = OnceLock::new();
    *LANG.get_or_init(Lang::from_env)
}

thread_local! {
    /// How many [`in_english`] calls are running on this thread. Per thread: `refresh --all`
    /// writes one profile's hook input (English) while another thread reports to the person.
    static ENGLISH: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` with every message in English: for data (`--json`, a hook's input), which never
/// changes with the language. A thread `f` starts gets the same with [`carried`].
pub fn in_english<T>(f: impl FnOnce() -> T) -> T {
    struct Scope;
    impl Drop for Scope {
        fn drop(&mut self) {
            ENGLISH.with(|n| n.set(n.get() - 1));
        }
    }
    ENGLISH.with(|n| n.set(n.get() + 1));
    let _scope = Scope;
    f()
}

/// `f`, to run on another thread in the language of this one (English inside
/// [`in_english`]): doctor's endpoint probes, run at once.
pub fn carried<T>(f: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let english = ENGLISH.with(Cell::get) > 0;
    move || if english { in_english(f) } else { f() }
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

    /// What must be the same for a message in every language: its attributes and the
    /// variables it uses (through the messages it references too); and the literal text of
    /// its value and of each attribute, to check the language it is written in.
    #[derive(Debug, Default)]
    struct Shape {
        value: Option<String>,
        attributes: BTreeMap<String, String>,
        variables: BTreeSet<String>,
        references: BTreeSet<String>,
    }

    /// Every message and term of a catalog by id, references resolved.
    fn shapes(files: &[(&str, &str)]) -> BTreeMap<String, Shape> {
        use fluent_syntax::ast::Entry;
        let mut shapes = BTreeMap::new();
        for (name, text) in files {
            let resource = fluent_syntax::parser::parse((*text).to_owned())
                .unwrap_or_else(|(_, e)| panic!("{name} does not parse: {e:?}"));
            for entry in resource.body {
                let (id, value, attributes) = match entry {
                    Entry::Message(m) => (m.id.name, m.value, m.attributes),
                    Entry::Term(t) => (format!("-{}", t.id.name), Some(t.value), t.attributes),
                    _ => continue,
                };
                let mut shape = Shape::default();
                if let Some(p) = &value {
                    shape.value = Some(walk(p, &mut shape.variables, &mut shape.references));
                }
                for a in &attributes {
                    let text = walk(&a.value, &mut shape.variables, &mut shape.references);
                    shape.attributes.insert(a.id.name.clone(), text);
                }
                shapes.insert(id, shape);
            }
        }
        // A message that references another uses that one's variables too (`describe-file`).
        loop {
            let mut grew = false;
            let ids: Vec<String> = shapes.keys().cloned().collect();
            for id in ids {
                let inherited: BTreeSet<String> = shapes[&id]
                    .references
                    .iter()
                    .filter_map(|r| shapes.get(r))
                    .flat_map(|s| s.variables.iter().cloned())
                    .collect();
                let shape = shapes.get_mut(&id).unwrap();
                for v in inherited {
                    grew |= shape.variables.insert(v);
                }
            }
            if !grew {
                break;
            }
        }
        shapes
    }

    /// The literal text of `pattern` (its select variants included); its variables and the
    /// messages and terms it references into the sets.
    fn walk(
        pattern: &fluent_syntax::ast::Pattern<String>,
        variables: &mut BTreeSet<String>,
        references: &mut BTreeSet<String>,
    ) -> String {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
        fn inline(
            e: &InlineExpression<String>,
            text: &mut String,
            variables: &mut BTreeSet<String>,
            references: &mut BTreeSet<String>,
        ) {
            match e {
                InlineExpression::StringLiteral { value } => text.push_str(value),
                InlineExpression::VariableReference { id } => {
                    variables.insert(id.name.clone());
                }
                InlineExpression::MessageReference { id, .. } => {
                    references.insert(id.name.clone());
                }
                InlineExpression::TermReference { id, .. } => {
                    references.insert(format!("-{}", id.name));
                }
                InlineExpression::Placeable { expression } => {
                    expression_text(expression, text, variables, references)
                }
                InlineExpression::FunctionReference { arguments, .. } => {
                    for a in &arguments.positional {
                        inline(a, text, variables, references);
                    }
                }
                InlineExpression::NumberLiteral { .. } => {}
            }
        }
        fn expression_text(
            e: &Expression<String>,
            text: &mut String,
            variables: &mut BTreeSet<String>,
            references: &mut BTreeSet<String>,
        ) {
            match e {
                Expression::Inline(i) => inline(i, text, variables, references),
                Expression::Select { selector, variants } => {
                    inline(selector, text, variables, references);
                    for v in variants {
                        text.push_str(&walk(&v.value, variables, references));
                        text.push('\n');
                    }
                }
            }
        }
        let mut text = String::new();
        for element in &pattern.elements {
            match element {
                PatternElement::TextElement { value } => text.push_str(value),
                PatternElement::Placeable { expression } => {
                    expression_text(expression, &mut text, variables, references)
                }
            }
        }
        text
    }

    /// Has Chinese characters, or nothing to write in a language: words left after taking
    /// out code (between backticks) need Han characters.
    fn reads_as_chinese(text: &str) -> bool {
        let words: String = text.split('`').step_by(2).collect::<Vec<_>>().concat();
        let han = |c: char| matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}');
        !words.chars().any(char::is_alphabetic) || words.chars().any(han)
    }

    #[test]
    fn both_catalogs_have_the_same_messages_attributes_and_variables() {
        let en = shapes(EN_US);
        let zh = shapes(ZH_CN);
        for (id, e) in &en {
            let Some(z) = zh.get(id) else {
                panic!("`{id}` is in i18n/en-US but not in i18n/zh-CN");
            };
            assert_eq!(e.value.is_some(), z.value.is_some(), "`{id}`: value");
            let names = |s: &Shape| s.attributes.keys().cloned().collect::<Vec<_>>();
            assert_eq!(names(e), names(z), "`{id}`: attributes");
            assert_eq!(e.variables, z.variables, "`{id}`: variables");
        }
        for id in zh.keys() {
            assert!(
                en.contains_key(id),
                "`{id}` is in i18n/zh-CN but not in i18n/en-US"
            );
        }
    }

    #[test]
    fn every_chinese_message_with_words_has_chinese_words() {
        for (id, shape) in shapes(ZH_CN) {
            let texts = shape.value.iter().map(|t| ("value", t));
            let attributes = shape.attributes.iter().map(|(a, t)| (a.as_str(), t));
            for (part, text) in texts.chain(attributes) {
                assert!(
                    reads_as_chinese(text),
                    "`{id}` ({part}) in i18n/zh-CN has no Chinese: {text:?}"
                );
            }
        }
        // The check itself tells English from Chinese, and lets code and bare variables be.
        assert!(!reads_as_chinese("cannot read `x`: it is a folder"));
        assert!(reads_as_chinese("无法读取 `x`：它是一个目录"));
        assert!(reads_as_chinese("`broker login`"));
        assert!(reads_as_chinese(""));
    }

    #[test]
    fn the_chinese_catalog_parses_loads_and_renders() {
        let _ = load("zh-CN", ZH_CN);
        let record = serde_json::json!({"domain": "config", "code": "unknown-profile", "name": "prod", "config": "/c.toml"});
        assert_eq!(
            render_record_in(Lang::ZhCn, &record).message,
            "`/c.toml` 中没有名为 `prod` 的配置"
        );
        let hint = serde_json::json!({"code": "profiles", "names": ["p", "q"], "count": 2, "grants": "a|b"});
        assert_eq!(
            hint_message(Lang::ZhCn, hint.as_object().unwrap()).unwrap(),
            "已有配置：p、q"
        );
    }

    fn lang_of(vars: &[(&str, &str)]) -> Lang {
        Lang::from_vars(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_language_comes_from_broker_lang_then_lc_all_lc_messages_lang() {
        use Lang::{En, ZhCn};
        assert_eq!(lang_of(&[]), En);
        assert_eq!(lang_of(&[("LANG", "zh_CN.UTF-8")]), ZhCn);
        assert_eq!(lang_of(&[("LANG", "C.UTF-8")]), En);
        // The first set of LC_ALL, LC_MESSAGES, LANG decides, as POSIX reads them.
        assert_eq!(lang_of(&[("LC_MESSAGES", "zh_CN"), ("LANG", "C")]), ZhCn);
        assert_eq!(lang_of(&[("LC_MESSAGES", "C"), ("LANG", "zh_CN")]), En);
        assert_eq!(
            lang_of(&[("LC_ALL", "zh_CN"), ("LC_MESSAGES", "en_US")]),
            ZhCn
        );
        assert_eq!(lang_of(&[("LC_ALL", "C"), ("LC_MESSAGES", "zh_CN")]), En);
        // An empty variable is as good as unset.
        assert_eq!(lang_of(&[("LC_ALL", ""), ("LANG", "zh_CN.UTF-8")]), ZhCn);
        // BROKER_LANG wins over all of them, both ways.
        assert_eq!(lang_of(&[("BROKER_LANG", "zh"), ("LC_ALL", "C")]), ZhCn);
        assert_eq!(lang_of(&[("BROKER_LANG", "en"), ("LC_ALL", "zh_CN")]), En);
        assert_eq!(lang_of(&[("BROKER_LANG", "fr"), ("LANG", "zh_CN")]), En);
        assert_eq!(lang_of(&[("BROKER_LANG", ""), ("LANG", "zh_CN")]), ZhCn);
    }

    #[test]
    fn every_zh_value_of_spec_12_is_chinese_and_nothing_else_is() {
        for v in [
            "zh",
            "zh_CN.UTF-8",
            "zh-CN",
            "zh_CN",
            "zh_SG",
            "zh_Hans",
            "zh_TW",
            "ZH-cn",
            "zh_CN.GB18030",
            "zh_CN@euro",
            " zh ",
        ] {
            assert_eq!(lang_of(&[("LANG", v)]), Lang::ZhCn, "LANG={v}");
            assert_eq!(
                lang_of(&[("BROKER_LANG", v)]),
                Lang::ZhCn,
                "BROKER_LANG={v}"
            );
        }
        for v in [
            "en",
            "en-US",
            "EN_us",
            "en_US.UTF-8",
            "C",
            "POSIX",
            "C.UTF-8",
            "zhx",
            "fr_FR",
            "z",
        ] {
            assert_eq!(lang_of(&[("LANG", v)]), Lang::En, "LANG={v}");
            assert_eq!(lang_of(&[("BROKER_LANG", v)]), Lang::En, "BROKER_LANG={v}");
        }
    }

    #[test]
    fn in_english_lasts_until_it_returns_even_by_a_panic_and_is_carried_to_threads() {
        let depth = || ENGLISH.with(Cell::get);
        assert_eq!(in_english(depth), 1);
        assert_eq!(in_english(|| in_english(depth)), 2);
        let _ = std::panic::catch_unwind(|| in_english(|| panic!("inside")));
        assert_eq!(depth(), 0);
        let on_a_thread =
            |f: Box<dyn FnOnce() -> usize + Send>| std::thread::spawn(f).join().unwrap();
        assert_eq!(on_a_thread(Box::new(in_english(|| carried(depth)))), 1);
        assert_eq!(on_a_thread(Box::new(carried(depth))), 0);
    }

    #[test]
    fn messages_are_folded_to_one_line() {
        assert_eq!(
            one_line("first\nsecond\r\nthird".into()),
            "first; second; third"
        );
    }
}
