//! Property: printing a syntax tree and parsing the text gives the same tree.

use crate::condition::ast::{CmpOp, Expr, Literal, Operand, Path, Pos};
use crate::condition::parse;
use crate::condition::value::CONSTANTS;
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "attributes",
        "resource",
        "name",
        "kind",
        "status",
        "code",
        "body",
        "metric",
        "x_1",
    ])
    .prop_map(str::to_string)
}

fn operand() -> impl Strategy<Value = Operand> {
    let path = (
        prop::collection::vec(name(), 1..4),
        prop::option::of(any::<String>()),
    )
        .prop_map(|(segments, key)| {
            Operand::Path(Path {
                segments,
                key,
                pos: Pos(0),
            })
        });
    let literal = prop_oneof![
        any::<String>().prop_map(Literal::String),
        any::<i64>().prop_map(Literal::Int),
        (-1e12f64..1e12).prop_map(Literal::Float),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Nil),
        prop::sample::select(CONSTANTS.to_vec()).prop_map(|(n, _)| Literal::Enum(n.into(), Pos(0))),
    ]
    .prop_map(Operand::Literal);
    prop_oneof![path, literal]
}

fn op() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Expr::Bool),
        (operand(), op(), operand()).prop_map(|(l, o, r)| Expr::Compare(l, o, r)),
        (operand(), any::<String>()).prop_map(|(t, p)| Expr::IsMatch(t, p, Pos(0))),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Expr::Not(Box::new(a))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn parse_of_print_is_the_same_tree(tree in expr()) {
        let text = tree.to_string();
        let back = parse(&text);
        prop_assert_eq!(back.as_ref(), Ok(&tree), "printed as {}", text);
    }
}
