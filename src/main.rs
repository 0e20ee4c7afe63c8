//! `tamis`: the command line that runs the pipeline embedded (`process`) or as RabbitMQ workers
//! (`worker`, `submit`, `topology`), and serves the HTTP intake (`api`) and the console.

mod api;
mod bench;
mod embedded;
mod events;
mod parked;
mod pipeline;
mod purge;
mod review;
mod workers;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tamis_shared::config::Config;
use tamis_shared::topology::Stage;

#[derive(Parser)]
#[command(
    name = "tamis",
    version,
    about = "Reads, classifies and routes supporting documents for a social-security back office"
)]
struct Cli {
    /// Configuration file (TOML); also TAMIS_CONFIG. Environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline in this process on files and folders; one JSON line per file.
    Process {
        /// Files or folders (walked recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write the lines here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Case the documents belong to.
        #[arg(long)]
        case_id: Option<String>,
        /// A person of that case (holder, partner, child), as the case system names them; repeat
        /// for each. A document naming none of them goes to a person (`name_mismatch`).
        #[arg(long = "case-person", value_name = "NAME", requires = "case_id")]
        case_persons: Vec<tamis_shared::PersonName>,
    },
    /// Consume RabbitMQ queues: one stage, or `all`.
    Worker {
        /// ocr, classify, extract, route or all.
        stage: String,
    },
    /// Store files in the blob store and publish them to the pipeline.
    Submit {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Case the documents belong to.
        #[arg(long)]
        case_id: Option<String>,
        /// A person of that case (holder, partner, child), as the case system names them; repeat
        /// for each. A document naming none of them goes to a person (`name_mismatch`).
        #[arg(long = "case-person", value_name = "NAME", requires = "case_id")]
        case_persons: Vec<tamis_shared::PersonName>,
    },
    /// Declare the exchanges and queues (idempotent) and print them.
    Topology,
    /// Inspect or replay the messages waiting in the parking queue.
    Parked {
        #[command(subcommand)]
        action: ParkedAction,
    },
    /// Delete document bytes past `retention.documents_days` after their final outcome, and
    /// outcome records and reviewers' decisions past `retention.audit_days` (docs/retention.md).
    Purge {
        /// Print what would be deleted; delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Purge as if it were this time (RFC 3339, e.g. 2027-01-31T00:00:00Z): with --dry-run,
        /// what a later purge will delete. Default: now.
        #[arg(long, value_name = "TIME", value_parser = purge::parse_time)]
        as_of: Option<time::OffsetDateTime>,
    },
    /// Throughput benchmarks against the tesseract command line (issues #3 and #8).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The back-office web console (review inbox, dashboard): `tamis console --listen ADDR`.
    #[command(args_conflicts_with_subcommands = true)]
    Console {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(subcommand)]
        action: Option<ConsoleAction>,
    },
    /// The HTTP intake: submit documents and follow them (docs/integrators.md).
    Api(ApiArgs),
}

/// The HTTP intake for case systems (`tamis api --listen ADDR`), defined apart from the other
/// commands' arguments.
#[derive(clap::Args)]
struct ApiArgs {
    /// Address to listen on, e.g. 0.0.0.0:8081.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: String,
    /// Print the API's OpenAPI document (docs/openapi.json) and exit.
    #[arg(long)]
    print_openapi: bool,
}

#[derive(Subcommand)]
enum ParkedAction {
    /// One line per parked message: document id, stage, reason code, attempts, parked at.
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send parked messages back to the stage they failed in (removed from parking once confirmed).
    Replay {
        /// Only the messages of this document id.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        id: Option<String>,
        /// Every parked message.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum ConsoleAction {
    /// Read a password on stdin and print its argon2 hash for the console users file.
    HashPassword,
}

/// Tesseract is ~6x slower unless OpenMP is held to one thread, and OpenMP reads the variable
/// when the library loads, before `main` could set it: re-execute with it set.
fn ensure_omp_thread_limit() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    if let Ok(exe) = std::env::current_exe() {
        let err = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("OMP_THREAD_LIMIT", "1").exec();
        eprintln!("tamis: warning: could not re-execute with OMP_THREAD_LIMIT=1 ({err}); OCR will be slow");
    }
}

/// glibc gives every thread that allocates under contention an arena of its own and seldom
/// returns their memory: with tesseract pages (tens of MB each) allocated on the blocking pool's
/// threads, an OCR worker's peak RSS went 557 -> 730 MiB on the same 100 documents (`tamis bench
/// e2e --profile full`). Two arenas keep it near the working set; `MALLOC_ARENA_MAX` overrides.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; called before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> anyhow::Result<()> {
    // One rustls provider (ring) for the whole process, before any TLS client (AMQP, OTLP, S3).
    tamis_shared::tls::install_crypto_provider();
    ensure_omp_thread_limit();
    limit_malloc_arenas();
    let cli = Cli::parse();
    let telemetry = tamis_shared::telemetry::init("info", &service_name(&cli.command));
    let result = run(cli);
    // Outside the runtime: the exporter's blocking HTTP client must not run inside it.
    telemetry.shutdown();
    result
}

/// The `service.name` of this process in traces (unless OTEL_SERVICE_NAME says otherwise).
fn service_name(command: &Command) -> String {
    match command {
        Command::Process { .. } => "tamis-process".into(),
        Command::Worker { stage } => format!("tamis-worker-{stage}"),
        Command::Submit { .. } => "tamis-submit".into(),
        Command::Topology => "tamis-topology".into(),
        Command::Api(_) => "tamis-api".into(),
        Command::Purge { .. } => "tamis-purge".into(),
        _ => "tamis".into(),
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Api(ApiArgs { print_openapi: true, .. }) = &cli.command {
        print!("{}", api::openapi_text());
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Process { paths, out, case_id, case_persons } => {
                let stages = pipeline::Stages::new(&config)?;
                stages.warm_up()?;
                embedded::process_command(stages, paths, out, embedded::Case { id: case_id, persons: case_persons })
                    .await
            }
            Command::Worker { stage } => {
                let which = if stage == "all" {
                    Stage::ALL.to_vec()
                } else {
                    vec![stage.parse::<Stage>().map_err(anyhow::Error::msg)?]
                };
                let stages = pipeline::Stages::new(&config)?;
                workers::worker_command(&config, stages, which).await
            }
            Command::Submit { paths, case_id, case_persons } => {
                workers::submit_command(&config, paths, embedded::Case { id: case_id, persons: case_persons }).await
            }
            Command::Topology => workers::topology_command(&config).await,
            Command::Parked { action: ParkedAction::List { json } } => parked::list_command(&config, json).await,
            Command::Parked { action: ParkedAction::Replay { id, all: _ } } => {
                let which = id.map(parked::Selection::Document).unwrap_or(parked::Selection::All);
                parked::replay_command(&config, which).await
            }
            Command::Purge { dry_run, as_of } => purge::purge_command(&config, dry_run, as_of).await,
            Command::Bench(cmd) => bench::bench_command(&config, cli.config.as_deref(), cmd).await,
            Command::Console { action: Some(ConsoleAction::HashPassword), .. } => {
                let mut password = String::new();
                std::io::stdin().read_line(&mut password)?;
                let password = password.trim_end_matches(['\r', '\n']);
                anyhow::ensure!(!password.is_empty(), "type the password on stdin (it is not echoed anywhere else)");
                println!("{}", tamis_console::auth::hash_password(password).map_err(anyhow::Error::msg)?);
                Ok(())
            }
            Command::Console { listen, action: None } => {
                let shutdown = tokio_util::sync::CancellationToken::new();
                workers::spawn_signal_handler(shutdown.clone());
                Ok(tamis_console::serve(&config, &listen, shutdown).await?)
            }
            Command::Api(args) => {
                let shutdown = tokio_util::sync::CancellationToken::new();
                workers::spawn_signal_handler(shutdown.clone());
                api::serve(&config, &args.listen, shutdown).await
            }
        }
    })
}
