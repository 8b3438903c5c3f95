//! Each built-in signature against lines in the formats the tools really print, and the
//! order in which they decide.

use super::*;

/// Which built-in signature decides `line` alone.
fn decides(line: &str) -> Option<String> {
    classify(line, &[], builtin()).map(|m| m.signature)
}

#[test]
fn the_builtin_pack_parses_and_names_are_unique() {
    let pack = builtin();
    assert!(pack.len() >= 20, "{}", pack.len());
    let mut names: Vec<&str> = pack.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), pack.len());
}

#[test]
fn every_signature_on_real_message_formats() {
    let cases: &[(&str, &str)] = &[
        (
            "runner-shutdown",
            "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
        ),
        (
            "runner-shutdown",
            "The self-hosted runner: build-07 lost communication with the server. Verify the machine is running and has a healthy network connection.",
        ),
        (
            "gitlab-runner-system-failure",
            "ERROR: Job failed (system failure): prepare environment: waiting for pod running: timed out waiting for pod to start",
        ),
        (
            "gitlab-runner-system-failure",
            "ERROR: Preparation failed: Error response from daemon: container create failed",
        ),
        (
            "job-never-picked-up",
            "The job was not acquired by Runner of type hosted even after multiple attempts",
        ),
        (
            "job-never-picked-up",
            "This request was automatically failed because there were no enabled runners online to process the request for more than 1 days.",
        ),
        (
            "platform-timeout",
            "##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 360 minutes.",
        ),
        (
            "out-of-memory",
            "##[error]Process completed with exit code 137.",
        ),
        ("out-of-memory", "ERROR: Job failed: exit code 137"),
        (
            "out-of-memory",
            "Out of memory: Killed process 4242 (java) total-vm:8123456kB",
        ),
        (
            "disk-full",
            "System.IO.IOException: No space left on device : '/home/runner/runners/2.317.0/_diag/Worker_20240501.log'",
        ),
        ("disk-full", "npm ERR! code ENOSPC"),
        (
            "disk-full",
            "You are running out of disk space. The runner will stop working when the machine runs out of disk space. Free space left: 12 MB",
        ),
        (
            "pytest",
            "=========================== 2 failed, 48 passed in 3.21s ===========================",
        ),
        (
            "pytest",
            "FAILED tests/test_api.py::test_login - AssertionError: assert 401 == 200",
        ),
        ("go-test", "--- FAIL: TestParseConfig (0.00s)"),
        ("go-test", "FAIL\tgithub.com/acme/widget/config\t0.012s"),
        (
            "cargo-test",
            "test result: FAILED. 41 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.52s",
        ),
        ("cargo-test", "error: test failed, to rerun pass `--lib`"),
        ("jest", "Tests:       1 failed, 27 passed, 28 total"),
        ("jest", " FAIL  src/components/Button.test.tsx"),
        (
            "junit-maven-gradle",
            "[ERROR] Tests run: 12, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.9 s <<< FAILURE! - in com.acme.OrderTest",
        ),
        (
            "junit-maven-gradle",
            "> There were failing tests. See the report at: file:///build/reports/tests/test/index.html",
        ),
        ("rustc", "error[E0308]: mismatched types"),
        (
            "rustc",
            "error: could not compile `widget` (lib) due to 2 previous errors",
        ),
        (
            "tsc",
            "src/index.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.",
        ),
        (
            "tsc",
            "src/app.tsx:3:10 - error TS2305: Module '\"./api\"' has no exported member 'fetchAll'.",
        ),
        (
            "javac",
            "src/main/java/com/acme/Order.java:27: error: cannot find symbol",
        ),
        ("javac", "[ERROR] COMPILATION ERROR : "),
        (
            "gcc-clang",
            "src/parse.c:88:5: error: implicit declaration of function 'strlcpy'",
        ),
        ("gcc-clang", "collect2: error: ld returned 1 exit status"),
        (
            "clippy",
            "  = help: for further information visit https://rust-lang.github.io/rust-clippy/master/index.html#needless_range_loop",
        ),
        ("eslint", "✖ 3 problems (3 errors, 0 warnings)"),
        (
            "flake8-ruff",
            "./app/views.py:12:1: F401 'os' imported but unused",
        ),
        ("flake8-ruff", "Found 4 errors."),
        (
            "registry-rate-limited",
            "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
        ),
        (
            "registry-rate-limited",
            "npm ERR! 429 Too Many Requests - GET https://registry.npmjs.org/left-pad",
        ),
        (
            "registry-server-error",
            "Error response from daemon: received unexpected HTTP status: 503 Service Unavailable",
        ),
        ("registry-server-error", "npm ERR! code E503"),
        (
            "dns",
            "fatal: unable to access 'https://github.com/acme/widget/': Could not resolve host: github.com",
        ),
        (
            "dns",
            "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host",
        ),
        (
            "connection",
            "error: RPC failed; curl 56 GnuTLS recv error (-54): Error in the pull function.",
        ),
        ("connection", "fatal: the remote end hung up unexpectedly"),
        (
            "tls",
            "Get \"https://registry.example/v2/\": net/http: TLS handshake timeout",
        ),
        ("tls", "x509: certificate signed by unknown authority"),
    ];
    let mut wrong = Vec::new();
    for (want, line) in cases {
        let got = decides(line);
        if got.as_deref() != Some(*want) {
            wrong.push(format!("{want}: got {got:?} for {line:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ordinary_lines_decide_nothing() {
    for line in [
        "##[error]Process completed with exit code 1.",
        "Run actions/checkout@v4",
        "test result: ok. 12 passed; 0 failed; 0 ignored",
        "===== 48 passed in 3.21s =====",
        "ERROR: Job failed: exit code 1",
        "connection refused: dial tcp 127.0.0.1:5432",
        "Tests:       28 passed, 28 total",
    ] {
        assert_eq!(decides(line), None, "{line}");
    }
}

#[test]
fn order_decides_and_the_last_matching_line_is_the_evidence() {
    // The disk filled up, so the compiler failed: the platform, by the disk's last word.
    let tail = "error: could not compile `widget` (lib)\n\
                No space left on device (os error 28) writing a.o\n\
                more output\n\
                fatal: No space left on device\n";
    let m = classify(tail, &[], builtin()).expect("a match");
    assert_eq!(m.signature, "disk-full");
    assert_eq!(m.owner, Owner::Platform);
    assert_eq!(m.evidence, "fatal: No space left on device");
    // A failing test that printed a network error is the change's.
    let tail = "Could not resolve host: api.example\nFAILED tests/test_net.py::test_up - OSError\n";
    assert_eq!(
        classify(tail, &[], builtin())
            .map(|m| m.signature)
            .as_deref(),
        Some("pytest")
    );
}

#[test]
fn user_signatures_come_first_and_bad_regexes_name_the_signature() {
    let user: Vec<Signature> = yaml_serde::from_str(
        "- {name: flaky-fixture, owner: platform, regex: 'FAILED tests/test_flaky\\.py'}\n",
    )
    .expect("parses");
    let m = classify(
        "FAILED tests/test_flaky.py::test_a - Timeout",
        &user,
        builtin(),
    );
    assert_eq!(m.map(|m| m.signature).as_deref(), Some("flaky-fixture"));
    let bad = yaml_serde::from_str::<Vec<Signature>>("- {name: x, owner: platform, regex: '('}\n")
        .expect_err("invalid regex");
    assert!(bad.to_string().contains("failure signature `x`"), "{bad}");
}

#[test]
fn evidence_is_masked_and_truncated() {
    let line = format!(
        "fatal: unable to access 'https://x:glpat-abcdefghijklmnop1234@gitlab.example/a.git/': Could not resolve host {}",
        "z".repeat(400)
    );
    let m = classify(&line, &[], builtin()).expect("dns");
    assert!(!m.evidence.contains("glpat-"), "{}", m.evidence);
    assert!(m.evidence.contains("https://***@gitlab.example"));
    assert_eq!(m.evidence.chars().count(), EVIDENCE_CHARS);
    assert!(m.evidence.ends_with('…'));
}
