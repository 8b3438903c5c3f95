//! `${env:NAME}` / `${env:NAME:-default}` substitution on raw config text (comments left alone,
//! `$${` an escape). Checks: an unset variable is reported at a line of the text, and when
//! every variable is set the result keeps the text's line count (later errors keep their line).

#![no_main]

use ciotel_core::config::env::substitute;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split_inclusive('\n').count();
    match substitute(text, |name| {
        (name.len() % 3 != 0).then(|| name.to_lowercase())
    }) {
        Ok(_) => {}
        Err(unset) => {
            for u in unset {
                assert!(
                    (1..=lines).contains(&u.line),
                    "unset `{}` at line {}",
                    u.name,
                    u.line
                );
                assert!(u.name.len() % 3 == 0, "`{}` was set", u.name);
            }
        }
    }
    let done = substitute(text, |_| Some("value".to_owned())).expect("every variable is set");
    assert_eq!(
        done.split_inclusive('\n').count(),
        lines,
        "substitution changed the number of lines"
    );
});
