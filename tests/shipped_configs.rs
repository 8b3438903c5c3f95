//! Every config shipped in configs/ is valid as shipped (with its `${env:…:-default}` values)
//! and has no unused component: `ciotel validate` exits 0 with no warning.

mod support;

use std::process::Command;

#[test]
fn every_shipped_config_validates_without_warnings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("configs/ exists") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let output = Command::new(support::binary())
            .args(["validate", "--config"])
            .arg(&path)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .expect("run ciotel validate");
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
