//! Edits of a JSON payload for property tests of the platform mappers (GitHub, GitLab): the
//! `n`-th node of a document replaced by a value, or removed from its parent. Included by path
//! from each platform crate's `tests/props.rs`, which brings its own strategy of values.

use serde_json::Value;

/// One edit: the `n`-th node (in document order, modulo the node count) replaced, or removed
/// from its parent when `value` is `None`.
pub fn edit(doc: &mut Value, n: usize, value: Option<Value>) {
    let count = nodes(doc);
    let mut target = n % count.max(1);
    edit_at(doc, &mut target, value);
}

fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(nodes).sum(),
        Value::Object(o) => o.values().map(nodes).sum(),
        _ => 0,
    }
}

/// Walks to node `*n` (counting down); returns true once the edit is done.
fn edit_at(v: &mut Value, n: &mut usize, value: Option<Value>) -> bool {
    if *n == 0 {
        *v = value.unwrap_or(Value::Null);
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => {
            for i in 0..a.len() {
                if *n == 0 && value.is_none() {
                    a.remove(i);
                    return true;
                }
                if edit_at(&mut a[i], n, value.clone()) {
                    return true;
                }
            }
        }
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            for k in keys {
                if *n == 0 && value.is_none() {
                    o.remove(&k);
                    return true;
                }
                if edit_at(o.get_mut(&k).expect("key just listed"), n, value.clone()) {
                    return true;
                }
            }
        }
        _ => {}
    }
    false
}
