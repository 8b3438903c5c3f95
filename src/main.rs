//! The `ciotel` command: run the daemon, check a config, and (later) CI helpers.

mod build;
mod can_i_deploy;
mod change_traceparent;
mod components;
mod explain;
mod live;
mod logging;
mod service;
mod traceparent;
mod webhooks;

use clap::{Args, Parser, Subcommand};
use components::Loaded;
use std::path::PathBuf;
use std::process::ExitCode;

/// Counts the live heap, which the `memory_limiter` compares with its limits.
#[global_allocator]
static ALLOCATOR: ciotel_core::alloc::CountingAllocator = ciotel_core::alloc::CountingAllocator;

/// The config used when `--config` is not given: OTLP in, debug and file out, no backend.
const DEFAULT_CONFIG: &str = include_str!("../configs/default.yaml");
const DEFAULT_CONFIG_NAME: &str = "<embedded default config>";

/// ciotel: a CI/CD telemetry pipeline. CI platforms and OTLP in, one trace per pipeline run out.
#[derive(Parser)]
#[command(name = "ciotel", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Start the daemon (the default when no command is given).
    Run(RunArgs),
    /// Check a config file without starting anything; exit 1 listing every problem.
    Validate(RunArgs),
    /// Print the W3C traceparent of this CI job (or step), computed from the CI environment.
    Traceparent(traceparent::TraceparentArgs),
    /// Explain pipeline runs from OTLP JSON lines: a waterfall with owners, and who made them fail.
    Explain(explain::ExplainArgs),
    /// May this change go to that environment? Asked of the platform's API: exit 0 yes, 1 no
    /// (with each reason and whose side it is on), 2 no answer.
    CanIDeploy(can_i_deploy::CanIDeployArgs),
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Config file (YAML, OpenTelemetry Collector shape). Without it, the embedded default.
    #[arg(long, short, value_name = "FILE")]
    config: Option<PathBuf>,
}

fn main() -> ExitCode {
    ciotel_core::alloc::limit_malloc_arenas();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Validate(args)) => validate(&args),
        Some(Command::Run(args)) => run(&args),
        Some(Command::Traceparent(args)) => traceparent::run(&args),
        Some(Command::Explain(args)) => explain::run(&args),
        Some(Command::CanIDeploy(args)) => can_i_deploy::run(&args),
        None => run(&cli.run),
    }
}

fn load(args: &RunArgs) -> Result<Loaded, ExitCode> {
    let loaded = match &args.config {
        Some(path) => ciotel_core::config::load_file(path),
        None => ciotel_core::config::load(DEFAULT_CONFIG_NAME, DEFAULT_CONFIG, |n| {
            std::env::var(n).ok()
        }),
    };
    loaded.map_err(|e| {
        eprintln!("{e}");
        eprintln!("ciotel: the config has {} problem(s)", e.problems.len());
        ExitCode::FAILURE
    })
}

fn validate(args: &RunArgs) -> ExitCode {
    let loaded = match load(args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    let mut storage_errors = build::check_queue_storage(&loaded.config);
    storage_errors.extend(build::check_views(&loaded.config));
    if !storage_errors.is_empty() {
        for error in &storage_errors {
            eprintln!("{error}");
        }
        eprintln!("ciotel: the config has {} problem(s)", storage_errors.len());
        return ExitCode::FAILURE;
    }
    let c = &loaded.config;
    let pipelines: Vec<String> = c
        .service
        .pipelines
        .keys()
        .map(ToString::to_string)
        .collect();
    let connectors = match c.connectors.len() {
        0 => String::new(),
        n => format!(", {n} connector(s)"),
    };
    println!(
        "config OK: {} receiver(s), {} processor(s), {} exporter(s), {} extension(s){connectors}; pipelines: {}",
        c.receivers.len(),
        c.processors.len(),
        c.exporters.len(),
        c.extensions.len(),
        pipelines.join(", ")
    );
    ExitCode::SUCCESS
}

fn run(args: &RunArgs) -> ExitCode {
    let loaded = match load(args) {
        Ok(l) => l,
        Err(code) => return code,
    };
    logging::init(&loaded.config.service.telemetry.logs);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    match &args.config {
        Some(path) => {
            tracing::info!(config = %path.display(), "starting ciotel {}", env!("CARGO_PKG_VERSION"))
        }
        None => tracing::info!(
            "starting ciotel {} on the embedded default config",
            env!("CARGO_PKG_VERSION")
        ),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ciotel: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stop = {
        let _inside = runtime.enter();
        stop_signal()
    };
    match runtime.block_on(service::run(loaded.config, stop)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C). The handlers are installed now, not when the future
/// is first polled, so a SIGTERM just after "ciotel is ready" still shuts down gracefully.
/// Call within the runtime.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
