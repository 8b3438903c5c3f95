//! Expansion through the real YAML parser: values of every awkward shape land exactly, types
//! follow the field, keys and comments are left alone, errors keep the file's line.

use super::*;
use proptest::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    name: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    ratio: Option<f64>,
    #[serde(default)]
    offset: Option<i32>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    list: Vec<String>,
    #[serde(default)]
    maybe: Option<String>,
    #[serde(default)]
    compression: Option<Compression>,
    #[serde(default)]
    after: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Compression {
    Gzip,
    None,
}

fn parse_with(yaml: &str, vars: &[(&str, &str)]) -> Result<Doc, String> {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |name: &str| vars.get(name).cloned();
    let env = Environment::new(&lookup);
    Doc::deserialize(Expand::new(yaml_serde::Deserializer::from_str(yaml), &env))
        .map_err(|e| e.to_string())
}

fn name_from(value: &str, yaml: &str) -> String {
    parse_with(yaml, &[("V", value)])
        .unwrap_or_else(|e| panic!("{value:?} in {yaml:?}: {e}"))
        .name
}

const AWKWARD: &[&str] = &[
    "hunter2 #not-a-comment",
    "a: b",
    "line1\nline2\nafter: injected",
    "say \"hi\" and 'bye'",
    "back\\slash\\n",
    "{a: 1}",
    "[1, 2]",
    "*alias",
    "&anchor",
    "- item",
    "? key",
    "-",
    "true",
    "null",
    "~",
    "4317",
    "0x10",
    "",
    " padded ",
    "%tag",
    "@at `tick`",
    "!!int 3",
    "tab\there",
    "ctrl\u{1}\u{7f}",
    "ünïcødé ✓",
    "$$ and ${env:OTHER}",
    "---",
    "...",
];

#[test]
fn awkward_values_land_exactly_in_every_scalar_style() {
    for value in AWKWARD {
        assert_eq!(&name_from(value, "name: ${env:V}\n"), value, "plain");
        assert_eq!(&name_from(value, "name: \"${env:V}\"\n"), value, "double");
        assert_eq!(&name_from(value, "name: '${env:V}'\n"), value, "single");
        assert_eq!(&name_from(value, "name: ${V}\n"), value, "bare");
        assert_eq!(
            name_from(value, "name: \"<${env:V}>\"\n"),
            format!("<{value}>"),
            "inside a double-quoted scalar"
        );
        assert_eq!(
            name_from(value, "name: '<${V}>'\n"),
            format!("<{value}>"),
            "inside a single-quoted scalar"
        );
        assert_eq!(
            name_from(value, "name: |\n  x ${env:V}\n"),
            format!("x {value}\n"),
            "block scalar"
        );
        let doc = parse_with("name: ${env:V}\nafter: kept\n", &[("V", value)]).unwrap();
        assert_eq!(doc.after, "kept", "{value:?} changed the document");
    }
}

#[test]
fn a_secret_with_a_hash_is_not_cut() {
    let doc = parse_with("name: ${env:V} # a comment\n", &[("V", "abc #def")]).unwrap();
    assert_eq!(doc.name, "abc #def");
}

#[test]
fn a_newline_injects_no_key() {
    let e = parse_with("name: ${env:V}\n", &[("V", "x\nport: 1")]).unwrap();
    assert_eq!((e.name.as_str(), e.port), ("x\nport: 1", None));
}

#[test]
fn several_references_and_defaults_in_one_scalar() {
    let doc = parse_with(
        "name: ${env:A}-${B}-${env:C:-c}-${D:-}\n",
        &[("A", "a"), ("B", "b")],
    )
    .unwrap();
    assert_eq!(doc.name, "a-b-c-");
}

#[test]
fn dollars_escape_in_values() {
    let doc = parse_with("name: $${env:V} $$ $$$${V}\n", &[("V", "v")]).unwrap();
    assert_eq!(doc.name, "${env:V} $ $${V}");
    let doc = parse_with("name: $$${env:V}\n", &[("V", "v")]).unwrap();
    assert_eq!(doc.name, "$v");
}

#[test]
fn numbers_booleans_and_enums_follow_the_field() {
    let doc = parse_with(
        "port: ${env:PORT}\nenabled: ${env:ON}\nratio: ${R}\noffset: ${O}\ncompression: ${C}\nname: ${env:PORT}\n",
        &[("PORT", "4317"), ("ON", "true"), ("R", "0.5"), ("O", "-3"), ("C", "gzip")],
    )
    .unwrap();
    assert_eq!(doc.port, Some(4317));
    assert_eq!(doc.enabled, Some(true));
    assert_eq!(doc.ratio, Some(0.5));
    assert_eq!(doc.offset, Some(-3));
    assert_eq!(doc.compression, Some(Compression::Gzip));
    assert_eq!(doc.name, "4317", "a string field keeps the text");
    let doc = parse_with("ratio: ${R}\n", &[("R", "2")]).unwrap();
    assert_eq!(doc.ratio, Some(2.0));
    let doc = parse_with("maybe: ${N}\n", &[("N", "null")]).unwrap();
    assert_eq!(doc.maybe.as_deref(), Some("null"), "text, not YAML null");
}

#[test]
fn plain_yaml_keeps_its_meaning() {
    let doc = parse_with(
        "port: 80\nenabled: false\nratio: 1\nname: 4318\nmaybe: ~\nlist: [a, \"b\"]\n",
        &[],
    )
    .unwrap();
    assert_eq!(
        (
            doc.port,
            doc.enabled,
            doc.ratio,
            doc.name.as_str(),
            doc.maybe
        ),
        (Some(80), Some(false), Some(1.0), "4318", None)
    );
    assert_eq!(doc.list, ["a", "b"]);
}

#[test]
fn a_wrong_number_is_refused_at_its_line() {
    let e = parse_with("name: x\nport: ${env:PORT}\n", &[("PORT", "70000")]).unwrap_err();
    assert!(e.contains("line 2"), "{e}");
    let e = parse_with("name: x\nport: ${env:PORT}\n", &[("PORT", "http")]).unwrap_err();
    assert!(e.contains("line 2") && e.contains("expected u16"), "{e}");
}

#[test]
fn maps_and_lists_expand_their_values_not_their_keys() {
    let doc = parse_with(
        "headers:\n  authorization: Bearer ${env:T}\nlist:\n  - ${env:T}\n  - plain\n",
        &[("T", "t0k #en")],
    )
    .unwrap();
    assert_eq!(doc.headers["authorization"], "Bearer t0k #en");
    assert_eq!(doc.list, ["t0k #en", "plain"]);
    let e = parse_with("headers:\n  x: 1\n  ${env:T}: v\n", &[("T", "t")]).unwrap_err();
    assert!(
        e.contains("not expanded in keys") && e.contains("line 3"),
        "{e}"
    );
    let doc = parse_with("headers:\n  a$$b: v\n", &[]).unwrap();
    assert!(
        doc.headers.contains_key("a$$b"),
        "keys are taken as written"
    );
}

#[test]
fn comments_are_ignored() {
    let doc = parse_with("# set ${env:UNSET} first\nname: x # or ${env:UNSET}\n", &[]).unwrap();
    assert_eq!(doc.name, "x");
}

#[test]
fn unset_variables_are_named_with_their_line() {
    let e = parse_with("after: a\nname: ${env:TOKEN}\n", &[]).unwrap_err();
    assert!(
        e.contains("`TOKEN` is not set") && e.contains("name") && e.contains("line 2"),
        "{e}"
    );
    let e = parse_with("after: a\n\nname: \"x ${TOKEN}\"\n", &[]).unwrap_err();
    assert!(
        e.contains("`TOKEN` is not set") && e.contains("line 3"),
        "{e}"
    );
    let e = parse_with("name: ${file:/etc/x}\n", &[]).unwrap_err();
    assert!(e.contains("not supported") && e.contains("line 1"), "{e}");
}

proptest! {
    #[test]
    fn any_environment_string_round_trips_into_a_string_field(value in any::<String>()) {
        for yaml in ["name: ${env:V}\n", "name: \"${V}\"\n", "name: '${env:V}'\n"] {
            let doc = parse_with(yaml, &[("V", &value)]).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&doc.name, &value);
        }
    }
}
