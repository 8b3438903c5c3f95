use crate::condition::ast::{CmpOp, Expr, Literal, Operand, Path, Pos};
use crate::condition::parse;

fn path(segments: &[&str], key: Option<&str>) -> Operand {
    Operand::Path(Path {
        segments: segments.iter().map(|s| s.to_string()).collect(),
        key: key.map(str::to_string),
        pos: Pos(0),
    })
}

fn lit(l: Literal) -> Operand {
    Operand::Literal(l)
}

#[test]
fn a_comparison_of_a_keyed_path_and_a_string() {
    assert_eq!(
        parse(r#"resource.attributes["vcs.repository.name"] == "api""#).unwrap(),
        Expr::Compare(
            path(&["resource", "attributes"], Some("vcs.repository.name")),
            CmpOp::Eq,
            lit(Literal::String("api".into()))
        )
    );
}

#[test]
fn literals_of_every_type() {
    let right = |text: &str| match parse(&format!("name == {text}")).unwrap() {
        Expr::Compare(_, _, Operand::Literal(l)) => l,
        other => panic!("{other:?}"),
    };
    assert_eq!(right("42"), Literal::Int(42));
    assert_eq!(right("-7"), Literal::Int(-7));
    assert_eq!(right("1.5"), Literal::Float(1.5));
    assert_eq!(right("2e3"), Literal::Float(2000.0));
    assert_eq!(right("true"), Literal::Bool(true));
    assert_eq!(right("nil"), Literal::Nil);
    assert_eq!(right(r#""a\"b\\c\n""#), Literal::String("a\"b\\c\n".into()));
    assert_eq!(
        right("SPAN_KIND_SERVER"),
        Literal::Enum("SPAN_KIND_SERVER".into(), Pos(0))
    );
}

#[test]
fn and_binds_tighter_than_or_and_not_tightest() {
    let e = parse("not name == \"a\" or kind == 1 and kind != 2").unwrap();
    let Expr::Or(left, right) = e else {
        panic!("{e:?}")
    };
    assert!(matches!(*left, Expr::Not(_)));
    assert!(matches!(*right, Expr::And(..)));
}

#[test]
fn parentheses_group() {
    let e = parse("(name == \"a\" or name == \"b\") and kind == 2").unwrap();
    let Expr::And(left, _) = e else {
        panic!("{e:?}")
    };
    assert!(matches!(*left, Expr::Or(..)));
}

#[test]
fn is_match_and_bare_booleans() {
    assert_eq!(
        parse(r#"IsMatch(name, "^job:")"#).unwrap(),
        Expr::IsMatch(path(&["name"], None), "^job:".into(), Pos(0))
    );
    assert_eq!(parse("true").unwrap(), Expr::Bool(true));
    assert_eq!(
        parse("not false").unwrap(),
        Expr::Not(Box::new(Expr::Bool(false)))
    );
}

#[test]
fn chains_are_left_associative() {
    let e = parse("true or false or true").unwrap();
    let Expr::Or(left, _) = e else {
        panic!("{e:?}")
    };
    assert!(matches!(*left, Expr::Or(..)));
}
