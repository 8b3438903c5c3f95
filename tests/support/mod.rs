//! Black-box test support: start the real `ciotel` binary on ports the OS picks, wait until it
//! says it is ready, learn its addresses from its log, and stop it (or kill it) afterwards.
#![allow(dead_code)]

pub mod in_job;
pub mod metrics_sink;
pub mod webdriver;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a daemon may take to become ready, or a condition to come true.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A unique scratch directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("ciotel-test-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `ciotel` process.
pub struct Daemon {
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
    stdout: Arc<Mutex<String>>,
    /// `receiver id → transport → address`, from the "listening" log lines.
    pub addresses: BTreeMap<String, BTreeMap<String, String>>,
    pub config_path: PathBuf,
}

/// The built binary, as cargo provides it to integration tests.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ciotel")
}

impl Daemon {
    /// Writes `config` into `dir` and starts `ciotel run --config` on it; waits for readiness.
    pub fn start(dir: &TempDir, name: &str, config: &str) -> Daemon {
        Self::try_start(dir, name, config)
            .unwrap_or_else(|log| panic!("ciotel did not become ready:\n{log}"))
    }

    /// Like [`start`], but returns the log instead of panicking when it never becomes ready.
    pub fn try_start(dir: &TempDir, name: &str, config: &str) -> Result<Daemon, String> {
        Self::try_start_with_env(dir, name, config, &[("RUST_LOG", "info")])
    }

    /// Like [`start`], with `env` set for the daemon (`RUST_LOG` included: none is set
    /// otherwise).
    pub fn start_with_env(dir: &TempDir, name: &str, config: &str, env: &[(&str, &str)]) -> Daemon {
        Self::try_start_with_env(dir, name, config, env)
            .unwrap_or_else(|log| panic!("ciotel did not become ready:\n{log}"))
    }

    fn try_start_with_env(
        dir: &TempDir,
        name: &str,
        config: &str,
        env: &[(&str, &str)],
    ) -> Result<Daemon, String> {
        let config_path = dir.join(&format!("{name}.yaml"));
        std::fs::write(&config_path, config).expect("write config");
        let mut child = Command::new(binary())
            .args(["run", "--config"])
            .arg(&config_path)
            .current_dir(dir.path())
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ciotel");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let ready = line.contains("ciotel is ready");
                    log.lock().unwrap().push(line);
                    if ready {
                        let _ = ready_tx.send(());
                    }
                }
                let _ = ready_tx.send(());
            });
        }
        let stdout = Arc::new(Mutex::new(String::new()));
        {
            let stdout = stdout.clone();
            let mut out = child.stdout.take().expect("stdout");
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = out.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    stdout
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let _ = ready_rx.recv_timeout(PATIENCE);
        let mut daemon = Daemon {
            child: Some(child),
            log,
            stdout,
            addresses: BTreeMap::new(),
            config_path,
        };
        if !daemon.log_text().contains("ciotel is ready") {
            let text = daemon.log_text();
            daemon.kill();
            return Err(text);
        }
        daemon.addresses = parse_addresses(&daemon.log_lines());
        Ok(daemon)
    }

    /// The address `transport` (`grpc`, `http` …) of receiver `id` listens on.
    pub fn address(&self, id: &str, transport: &str) -> String {
        self.addresses
            .get(id)
            .and_then(|t| t.get(transport))
            .cloned()
            .unwrap_or_else(|| {
                panic!(
                    "no {transport} address for receiver {id}; log:\n{}",
                    self.log_text()
                )
            })
    }

    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn log_text(&self) -> String {
        self.log_lines().join("\n")
    }

    pub fn stdout_text(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.pid();
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        self.wait()
    }

    /// Waits for exit (at most [`PATIENCE`], then kills).
    pub fn wait(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("daemon already stopped");
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status;
            }
            if started.elapsed() > PATIENCE {
                let _ = child.kill();
                return child.wait().expect("wait");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

fn parse_addresses(lines: &[String]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for line in lines {
        if !line.contains("listening") {
            continue;
        }
        let field = |name: &str| {
            let at = line.find(&format!("{name}="))?;
            let rest = &line[at + name.len() + 1..];
            Some(
                rest.split_whitespace()
                    .next()?
                    .trim_matches('"')
                    .to_string(),
            )
        };
        let component = field("receiver")
            .or_else(|| field("extension"))
            .or_else(|| field("telemetry"));
        if let (Some(receiver), Some(transport), Some(address)) =
            (component, field("transport"), field("address"))
        {
            out.entry(receiver).or_default().insert(transport, address);
        }
    }
    out
}

/// Polls `check` until it returns `Some`, or panics with `what` after [`PATIENCE`].
pub fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(started.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Every complete JSON line of an OTLP JSON-lines file (empty when it does not exist yet).
///
/// A last line without its newline is still being written by the exporter (its writes reach
/// the file in buffer-sized pieces) and is left for the next read.
pub fn read_json_lines(path: &Path) -> Vec<serde_json::Value> {
    let Ok(mut text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let complete = text.rfind('\n').map_or(0, |i| i + 1);
    text.truncate(complete);
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("bad JSON line in {}: {e}: {l}", path.display()))
        })
        .collect()
}

/// All spans in OTLP JSON lines, flattened, each with its resource attributes attached under
/// `"_resource"`.
pub fn spans_in(lines: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for line in lines {
        for rs in line["resourceSpans"].as_array().into_iter().flatten() {
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    let mut span = span.clone();
                    span["_resource"] = rs["resource"].clone();
                    span["_scope"] = ss["scope"].clone();
                    out.push(span);
                }
            }
        }
    }
    out
}

/// The Python interpreter with the OTel SDK installed (scripts/test.sh sets it up).
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("CIOTEL_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        local.exists(),
        "the Python OTel SDK is needed: run `bash scripts/test.sh` once (it creates .venv), or set CIOTEL_TEST_PYTHON"
    );
    local
}

/// Runs a client script from tests/clients with `args`; panics with its output on failure.
pub fn run_client(script: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let output = Command::new(python())
        .arg(&path)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run python client");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{script} failed:\n{text}");
    text
}

/// A ciotel config with one OTLP receiver on OS-picked ports, the given extra sections and one
/// pipeline per listed signal to the given exporters. Metrics endpoint off unless asked.
pub fn otlp_config(exporters_yaml: &str, pipelines_yaml: &str) -> String {
    format!(
        "receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 127.0.0.1:0\n      http:\n        endpoint: 127.0.0.1:0\n{exporters_yaml}\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n{pipelines_yaml}"
    )
}
