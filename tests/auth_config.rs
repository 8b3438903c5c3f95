//! `ciotel validate` on configs with authenticators, black box: every wrong `auth:` reference
//! and every wrong authenticator setting exits 1 naming `FILE:LINE`, the key and the id, and no
//! token, password or hash is ever printed. A right config (token from `${env:…}`) exits 0.

mod support;

use std::process::Command;
use support::{TempDir, binary};

const TOKEN: &str = "tok-7d1e-never-printed";
const PASSWORD: &str = "pw-51c3-never-printed";

/// Every reference problem at once, each on a known line.
fn bad_references() -> String {
    format!(
        "\
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
exporters:
  otlphttp/undefined:
    endpoint: http://127.0.0.1:9
    auth:
      authenticator: bearertokenauth/missing
  otlphttp/health:
    endpoint: http://127.0.0.1:9
    auth: {{authenticator: health_check}}
  otlp/server_only:
    endpoint: 127.0.0.1:9
    auth:
      authenticator: basicauth/server
  otlp/disabled:
    endpoint: 127.0.0.1:9
    auth:
      authenticator: bearertokenauth/off
  otlphttp/good:
    endpoint: http://127.0.0.1:9
    auth:
      authenticator: basicauth/client
extensions:
  health_check:
  bearertokenauth/off:
    token: \"{TOKEN}\"
  basicauth/server:
    htpasswd:
      inline: \"bob:$apr1$rlQybigu$/ptLRNLSmTX4BIQ.XNHrq0\"
  basicauth/client:
    client_auth:
      username: ci
      password: \"{PASSWORD}\"
service:
  extensions: [health_check, basicauth/server, basicauth/client]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlphttp/undefined, otlphttp/health, otlp/server_only, otlp/disabled, otlphttp/good]
"
    )
}

#[test]
fn every_wrong_reference_is_named_with_its_line_and_no_credential_is_printed() {
    let out = validate("refs", &bad_references(), &[]);
    out.assert_problem(
        10,
        "exporters.otlphttp/undefined.auth: authenticator `bearertokenauth/missing` is not defined under `extensions`",
    );
    out.assert_problem(
        13,
        "exporters.otlphttp/health.auth: extension `health_check` is not an authenticator",
    );
    out.assert_problem(
        17,
        "exporters.otlp/server_only.auth: authenticator `basicauth/server` has no client side",
    );
    out.assert_problem(
        21,
        "exporters.otlp/disabled.auth: authenticator `bearertokenauth/off` is not enabled: list it in `service.extensions`",
    );
    assert!(
        out.stderr.contains("the config has 4 problem(s)"),
        "the good reference is not a problem: {out}"
    );
    out.assert_secret_free();
}

#[test]
fn wrong_authenticator_settings_are_named_with_their_lines() {
    let yaml = format!(
        "\
receivers:
  otlp:
exporters:
  debug:
extensions:
  bearertokenauth/number:
    token: 918273645
  bearertokenauth/none:
    scheme: Bearer
  bearertokenauth/both:
    token: \"{TOKEN}\"
    tokens: [\"{TOKEN}\"]
  basicauth/plain:
    htpasswd:
      inline: |
        bob:$apr1$rlQybigu$/ptLRNLSmTX4BIQ.XNHrq0
        frank:{PASSWORD}
  basicauth/both:
    htpasswd: {{file: users}}
    client_auth: {{username: u, password: \"{PASSWORD}\"}}
  basicauth/neither:
  bearertokenauth/typo:
    tokne: x
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
"
    );
    let out = validate("settings", &yaml, &[]);
    out.assert_problem(
        7,
        "extensions.bearertokenauth/number.token: a credential must be a string (quote it)",
    );
    out.assert_problem(
        8,
        "extensions.bearertokenauth/none: set `token`, `tokens` or `filename`",
    );
    out.assert_problem(
        10,
        "extensions.bearertokenauth/both: set `token` or `tokens`, not both",
    );
    out.assert_problem(
        13,
        "extensions.basicauth/plain: htpasswd.inline: line 2: user `frank`: not a password hash: plain-text passwords are refused",
    );
    out.assert_problem(
        18,
        "extensions.basicauth/both: set `htpasswd` (server side) or `client_auth` (client side), not both",
    );
    out.assert_problem(21, "extensions.basicauth/neither: set `htpasswd`");
    out.assert_problem(23, "unknown field `tokne`");
    assert!(!out.stderr.contains("918273645"), "{out}");
    out.assert_secret_free();
}

#[test]
fn a_right_config_with_a_token_from_the_environment_validates() {
    let yaml = "\
receivers:
  otlp:
exporters:
  otlphttp:
    endpoint: https://gateway.example.com:4318
    auth:
      authenticator: bearertokenauth
  otlp/basic:
    endpoint: gateway.example.com:4317
    auth: {authenticator: basicauth/client}
extensions:
  bearertokenauth:
    token: \"${env:CIOTEL_TEST_TOKEN}\"
  basicauth/client:
    client_auth:
      username: ci
      password: ${env:CIOTEL_TEST_PASSWORD}
service:
  extensions: [bearertokenauth, basicauth/client]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlphttp, otlp/basic]
";
    let out = validate(
        "good",
        yaml,
        &[
            ("CIOTEL_TEST_TOKEN", TOKEN),
            ("CIOTEL_TEST_PASSWORD", PASSWORD),
        ],
    );
    assert_eq!(out.code, Some(0), "{out}");
    assert!(out.stdout.contains("2 extension(s)"), "{out}");
    out.assert_secret_free();
}

struct Outcome {
    path: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    _dir: TempDir,
}

impl Outcome {
    /// Exit code 1 and a stderr line starting `FILE:line:` that contains `fragment`.
    fn assert_problem(&self, line: usize, fragment: &str) {
        assert_eq!(self.code, Some(1), "a broken config must exit 1: {self}");
        let at = format!("{}:{line}:", self.path);
        let named = self
            .stderr
            .lines()
            .any(|l| l.starts_with(&at) && l.contains(fragment));
        assert!(named, "expected a line `{at} …{fragment}…`: {self}");
    }

    fn assert_secret_free(&self) {
        for secret in [TOKEN, PASSWORD] {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "`{secret}` was printed: {self}"
            );
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn validate(name: &str, yaml: &str, env: &[(&str, &str)]) -> Outcome {
    let dir = TempDir::new(&format!("auth-validate-{name}"));
    let path = dir.join("ciotel.yaml");
    std::fs::write(&path, yaml).unwrap();
    let output = Command::new(binary())
        .args(["validate", "--config"])
        .arg(&path)
        .envs(env.iter().copied())
        .output()
        .expect("run ciotel validate");
    Outcome {
        path: path.display().to_string(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        _dir: dir,
    }
}
