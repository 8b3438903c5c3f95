//! A step's script as shown on its span (`ciotel.step.run`): the first line only, secrets
//! masked, at most [`MAX_RUN_CHARS`] characters.
//!
//! What is masked (each replaced by `***`): the userinfo of URLs (`ciotel_core::redact`);
//! tokens of well-known shapes (GitHub `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`/`github_pat_`,
//! GitLab `glpat-`, Slack `xox?-`, AWS access key ids `AKIA…`, JWTs `eyJ….….…`); the value
//! after `Bearer`/`Basic`; the value of a `NAME=value`, `--name value` or `--name=value` whose
//! name says it holds a secret (`token`, `secret`, `password`, `passwd`, `pwd`, `api_key`,
//! `apikey`, `auth`, `credential`, `private_key`). `${{ secrets.X }}` is a reference, not a
//! secret, and stays: GitHub fills it in only on the runner.

use std::sync::LazyLock;

use regex::Regex;

use super::names::first_line;

/// The longest `ciotel.step.run`, in characters; longer lines end in `…`.
pub const MAX_RUN_CHARS: usize = 200;

/// What a masked secret is replaced with.
const MASK: &str = "***";

static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
    )
});

static SCHEMES: LazyLock<Regex> =
    LazyLock::new(|| compile(r#"(?i)\b(Bearer|Basic|token)(\s+)([^\s'"`]+)"#));

static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r#"(?i)(\b[\w.-]*(?:token|secret|password|passwd|pwd|api_?key|auth|credential|private_?key)[\w-]*)(=|:\s*|\s+)(['"]?)([^\s'"`;&|]+)"#,
    )
});

/// Compiles one of this module's constant patterns; a panic is a bug in ciotel, caught by the
/// tests.
fn compile(pattern: &str) -> Regex {
    match Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => panic!("mask pattern {pattern:?}: {e}"),
    }
}

/// `script`'s first line, secrets masked, truncated to [`MAX_RUN_CHARS`].
pub fn run_line(script: &str) -> String {
    let line = first_line(script);
    // `${{ … }}` is GitHub's to fill in on the runner: only the text around it is masked.
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find("${{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&mask(&rest[..open]));
        out.push_str(&rest[open..open + close + 2]);
        rest = &rest[open + close + 2..];
    }
    out.push_str(&mask(rest));
    truncate(&out)
}

/// `text` with the secrets it holds masked.
fn mask(text: &str) -> String {
    let text = ciotel_core::redact::userinfo(text);
    let text = TOKENS.replace_all(&text, MASK);
    let text = SCHEMES.replace_all(&text, |c: &regex::Captures<'_>| {
        if c[3].starts_with('$') {
            c[0].to_owned()
        } else {
            format!("{}{}{MASK}", &c[1], &c[2])
        }
    });
    let text = NAMED.replace_all(&text, |c: &regex::Captures<'_>| {
        let value = &c[4];
        let scheme = ["bearer", "basic", "token"]
            .iter()
            .any(|w| value.eq_ignore_ascii_case(w));
        if value.starts_with('$') || value == MASK || scheme {
            // A reference (`$TOKEN`), a scheme whose value follows, or masked already.
            c[0].to_owned()
        } else {
            format!("{}{}{}{MASK}", &c[1], &c[2], &c[3])
        }
    });
    text.into_owned()
}

fn truncate(line: &str) -> String {
    if line.chars().count() <= MAX_RUN_CHARS {
        return line.to_owned();
    }
    let mut out: String = line.chars().take(MAX_RUN_CHARS - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_literal_secrets_and_keeps_references() {
        assert_eq!(
            run_line("curl -H 'Authorization: Bearer abc123def' https://x"),
            "curl -H 'Authorization: Bearer ***' https://x"
        );
        assert_eq!(
            run_line(r#"curl -H "Authorization: Basic dXNlcjpwYXNz" https://x"#),
            r#"curl -H "Authorization: Basic ***" https://x"#
        );
        assert_eq!(
            run_line("git clone https://user:hunter2@github.com/o/r"),
            "git clone https://***@github.com/o/r"
        );
        assert_eq!(
            run_line("GH_TOKEN=ghp_abcdefghijklmnop1234 gh release create"),
            "GH_TOKEN=*** gh release create"
        );
        assert_eq!(
            run_line("docker login -u me --password s3cr3t registry.example"),
            "docker login -u me --password *** registry.example"
        );
        assert_eq!(
            run_line("npm config set //r/:_authToken=npm_Xy12 && npm ci"),
            "npm config set //r/:_authToken=*** && npm ci"
        );
        assert_eq!(run_line("echo AKIAABCDEFGHIJKLMNOP"), "echo ***");
        assert_eq!(
            run_line("deploy --token ${{ secrets.DEPLOY_TOKEN }}"),
            "deploy --token ${{ secrets.DEPLOY_TOKEN }}"
        );
        assert_eq!(run_line("API_KEY=$API_KEY ./x"), "API_KEY=$API_KEY ./x");
        assert_eq!(run_line("cargo test --workspace"), "cargo test --workspace");
    }

    #[test]
    fn first_line_only_and_bounded() {
        assert_eq!(run_line("\n  make test\n  make lint\n"), "make test");
        let long = "x".repeat(500);
        let shown = run_line(&long);
        assert_eq!(shown.chars().count(), MAX_RUN_CHARS);
        assert!(shown.ends_with('…'));
        let wide = "é".repeat(300);
        assert_eq!(run_line(&wide).chars().count(), MAX_RUN_CHARS);
    }
}
