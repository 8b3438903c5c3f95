//! `${env:NAME}`, `${env:NAME:-default}`, bare `${NAME}` and `$$` expansion of one config
//! value (ciotel expands values while the YAML is parsed). Checks: no panic on any text; a
//! value without `$` comes back unchanged; a set variable is never reported as unset.

#![no_main]

use ciotel_core::config::env::{Environment, ReferenceError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lookup = |name: &str| (name.len() % 3 != 0).then(|| name.to_lowercase());
    let env = Environment::new(&lookup);
    match env.expand(text) {
        Ok(done) => {
            if !text.contains('$') {
                assert_eq!(done.as_ref(), text, "a value without references changed");
            }
        }
        Err(ReferenceError::Unset { name }) => {
            assert!(name.len() % 3 == 0, "`{name}` was set");
        }
        Err(_) => {}
    }
});
