//! The edge: parse the command line, set up logging, load config and store, run the command, and
//! turn errors into messages and exit codes (see `commands`).

use anyhow::Context;
use clap::Parser;
use std::io::IsTerminal;
use trendd::cli::{
    Cli, Command, ConfigCommand, FeedbackCommand, LibraryCommand, SourcesCommand, StoreCommand,
};
use trendd::{commands, config, pipeline, store};

#[global_allocator]
static GLOBAL: trendd::alloc::Allocator = trendd::alloc::Allocator;

fn init_logging(cli: &Cli) {
    let level = if cli.quiet {
        "error"
    } else {
        match cli.verbose {
            0 => "info",
            1 => "debug",
            _ => "trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("trendd={level},warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // journald stamps time and unit itself; a terminal gets colour and time.
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        builder.without_time().with_ansi(false).init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<i32> {
    let path = config::locate(cli.config.as_deref());
    // A store the command opens anyway is opened while the config is read, when the command line
    // or the environment names the state directory (the config cannot move it then): making a new
    // store and reading a config of a thousand feeds take about as long as each other. It is
    // waited for before any error of the config is reported, so nothing is left half done.
    let early = opens_store(&cli.command)
        .then(|| config::state_dir_before_config(cli.state_dir.as_deref()))
        .flatten()
        .map(|dir| {
            let at = dir.clone();
            let opening = std::thread::Builder::new()
                .name("store-open".into())
                .spawn(move || store::Store::open(&at));
            (dir, opening)
        });
    let loaded = config::load(path.as_deref());
    let early = early.and_then(|(dir, opening)| Some((dir, opening.ok()?.join().ok()?)));
    let loaded = loaded?;
    let state_dir = config::state_dir(cli.state_dir.as_deref(), &loaded.config);
    if let Command::Summarize { input, output } = &cli.command {
        let (i, o) = (input.as_deref(), output.as_deref());
        return Ok(commands::summarize(&loaded.config, &state_dir, i, o).await?);
    }
    match &cli.command {
        Command::Config(ConfigCommand::Check) => {
            return Ok(commands::config_check(
                &loaded.config,
                loaded.path.as_deref(),
                &state_dir,
            )?)
        }
        Command::Sources(SourcesCommand::ImportOpml { file }) => {
            return Ok(commands::import_opml(
                &loaded.config,
                loaded.path.as_deref(),
                file,
            )?)
        }
        Command::Sources(SourcesCommand::ExportOpml) => {
            return Ok(commands::export_opml(&loaded.config)?)
        }
        // These read a store that may be damaged, so they open it themselves.
        Command::Store(StoreCommand::Check) => return Ok(commands::store_check(&state_dir)?),
        Command::Store(StoreCommand::Recover) => return Ok(commands::store_recover(&state_dir)?),
        _ => {}
    }
    trendd::control::lock::set_role(match &cli.command {
        Command::Run => "daemon",
        Command::Digest(_) => "digest",
        Command::Fetch { .. } => "fetch",
        _ => "",
    });
    if let Some(warning) = trendd::control::clock::check(chrono::Utc::now()) {
        tracing::warn!("{warning}");
    }
    let store = match early {
        Some((dir, opened)) if dir == state_dir => opened,
        _ => store::Store::open(&state_dir),
    }
    .with_context(|| format!("opening the store in {}", state_dir.display()))?;
    let app = pipeline::App::new(loaded.config, loaded.path, state_dir, store)?;
    let code = match cli.command {
        Command::Run => {
            trendd::daemon::run(app).await?;
            0
        }
        Command::Fetch { source } => commands::fetch(&app, source.as_deref(), cli.quiet).await?,
        Command::Digest(a) => {
            let opts = pipeline::DigestOptions {
                date: a.date,
                fetch: !a.no_fetch,
                dry_run: a.dry_run,
                force: a.force,
                out: a.out,
            };
            commands::digest(&app, opts, cli.quiet).await?
        }
        Command::Items { json, since } => commands::items(&app, json, since)?,
        Command::Status => commands::status(&app)?,
        Command::Feedback(f) => match f {
            FeedbackCommand::Up { ids } => {
                commands::feedback(&app, commands::FeedbackAction::Up, &ids)?
            }
            FeedbackCommand::Down { ids } => {
                commands::feedback(&app, commands::FeedbackAction::Down, &ids)?
            }
            FeedbackCommand::Clear { ids } => {
                commands::feedback(&app, commands::FeedbackAction::Clear, &ids)?
            }
            FeedbackCommand::List { json } => commands::feedback_list(&app, json)?,
        },
        Command::Library(LibraryCommand::Import { file, format }) => {
            commands::library_import(&app, &file, format.as_deref())?
        }
        Command::Library(LibraryCommand::List { json }) => commands::library_list(&app, json)?,
        Command::Serve { listen } => commands::serve(&app, listen.as_deref()).await?,
        Command::Store(StoreCommand::Compact) => commands::store_compact(&app)?,
        Command::Summarize { .. }
        | Command::Config(_)
        | Command::Sources(_)
        | Command::Store(StoreCommand::Check | StoreCommand::Recover) => {
            unreachable!("handled above")
        }
    };
    Ok(code)
}

/// Whether the command opens the store through `run`'s common path (the others return before it).
fn opens_store(command: &Command) -> bool {
    !matches!(
        command,
        Command::Summarize { .. }
            | Command::Config(_)
            | Command::Sources(_)
            | Command::Store(StoreCommand::Check | StoreCommand::Recover)
    )
}

/// The error and its causes, each said once (a typed error often quotes its source already).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if out.contains(&part) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&part);
    }
    out
}

fn main() {
    let cli = Cli::parse();
    init_logging(&cli);
    // The daemon and the web face serve many things at once on every core. A command does one
    // job: its fetches wait on the network together on one thread, and local feeds are parsed
    // there in turn (their files read ahead by a thread of their own, `http::ReadAhead`). Worker
    // threads beside it only fought over the store's one connection (a fetch of a thousand local
    // feeds took more CPU and no less time with them).
    let mut rt = if matches!(cli.command, Command::Run | Command::Serve { .. }) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let rt = rt.enable_all().build().expect("tokio runtime");
    let code = match rt.block_on(run(cli)) {
        Ok(c) => c,
        // A reader that closed the pipe (`trendd status | head`) has all it wanted.
        Err(e) if matches!(e.downcast_ref(), Some(trendd::Error::OutputClosed)) => 0,
        Err(e) => {
            commands::output::eprintln(&format!("trendd: error: {}", message(&e)));
            1
        }
    };
    // Don't wait for background network tasks at exit.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    exit_now(code)
}

/// Ends the process once what it printed is out. The store is closed and synced by now (the
/// command's `App` is gone); what is left in memory is the kernel's to drop with the process.
/// Running the allocator's and every thread-local's clean-up at exit, as `std::process::exit`
/// does, took a tenth of a short command's time.
fn exit_now(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; nothing in this process waits on destructors for
    // correctness (files are flushed and synced where it matters, before their success is told).
    unsafe { libc::_exit(code) }
}
