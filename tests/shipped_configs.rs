//! Every config shipped in configs/ is valid as shipped (with its `${env:…:-default}` values
//! and the secrets it needs given in the environment) and has no unused component: `ciotel
//! validate` exits 0 with no warning. Without its secrets a config is refused, naming each
//! variable: no shipped config carries a placeholder secret that would work.

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// The secrets shipped configs read from the environment, with values a test can give.
const SECRETS: &[(&str, &str)] = &[
    ("GITHUB_WEBHOOK_SECRET", "shipped-test-github-hook-4e1f"),
    ("GITHUB_TOKEN", "shipped-test-github-token-9a2c"),
    ("GITLAB_WEBHOOK_TOKEN", "shipped-test-gitlab-hook-77d0"),
    ("VENDOR_TOKEN", "shipped-test-vendor-token-31bb"),
];

fn validate(path: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(support::binary())
        .args(["validate", "--config"])
        .arg(path)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("run ciotel validate")
}

fn shipped(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(name)
}

#[test]
fn every_shipped_config_validates_without_warnings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("configs/ exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let output = validate(&path, SECRETS);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}: {stderr}", path.display());
        assert!(
            stdout.starts_with("config OK: "),
            "{}: {stdout}",
            path.display()
        );
        assert!(!stderr.contains("warning"), "{}: {stderr}", path.display());
        checked += 1;
    }
    assert!(
        checked >= 4,
        "expected the default, sidecar, gateway and two-backends configs"
    );
}

#[test]
fn without_its_secrets_a_shipped_config_is_refused_naming_each_variable() {
    for (file, variables) in [
        (
            "gateway.yaml",
            &[
                "GITHUB_WEBHOOK_SECRET",
                "GITHUB_TOKEN",
                "GITLAB_WEBHOOK_TOKEN",
            ][..],
        ),
        ("two-backends.yaml", &["VENDOR_TOKEN"][..]),
    ] {
        let output = validate(&shipped(file), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{file}: {stderr}");
        for variable in variables {
            assert!(
                stderr
                    .lines()
                    .any(|l| l.contains(&format!("`{variable}` is not set"))),
                "{file}: expected `{variable}` named: {stderr}"
            );
        }
    }
}

#[test]
fn a_placeholder_secret_is_refused() {
    let mut env: Vec<(&str, &str)> = SECRETS.to_vec();
    env.retain(|(k, _)| *k != "GITHUB_WEBHOOK_SECRET");
    env.push(("GITHUB_WEBHOOK_SECRET", "set-me"));
    let output = validate(&shipped("gateway.yaml"), &env);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is a placeholder"), "{stderr}");
}
