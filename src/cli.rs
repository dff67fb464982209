//! The command line (a contract: see DESIGN.md and the README).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// trendd: the day's ML research trends (arXiv, Hugging Face papers, Papers with Code, blogs) in one
/// 10-minute digest, by email, Slack or file.
#[derive(Debug, Parser)]
#[command(name = "trendd", version, about, long_about = None)]
pub struct Cli {
    /// Config file (else $TRENDD_CONFIG, ~/.config/trendd/trendd.toml, /etc/trendd/trendd.toml, built-in defaults)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// State directory (else $TRENDD_STATE_DIR, $STATE_DIRECTORY, ~/.local/state/trendd)
    #[arg(long, global = true, value_name = "PATH")]
    pub state_dir: Option<PathBuf>,
    /// More log output (-v: debug, -vv: trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Less output: errors only
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: scheduled fetches and digests (systemd Type=notify aware)
    Run,
    /// Pull every enabled source once and store what is new
    Fetch {
        /// Only this source
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// Compose and deliver a digest
    Digest(DigestArgs),
    /// List the stored items
    Items {
        /// One JSON object per line
        #[arg(long)]
        json: bool,
        /// Only items first seen on or after this date (YYYY-MM-DD)
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<chrono::NaiveDate>,
    },
    /// Write TL;DRs: JSON lines {"id","abstract","title"?} in, {"id","tldr"} out
    Summarize {
        #[arg(long = "in", value_name = "FILE")]
        input: Option<PathBuf>,
        #[arg(long = "out", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Configuration commands
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage blog feed sources
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Source health, validators, and recent digests with their delivery states
    Status,
    /// Rate papers: 👍 (up), 👎 (down), clear a rating, or list them
    #[command(subcommand)]
    Feedback(FeedbackCommand),
    /// The papers you like, from a reference manager
    #[command(subcommand)]
    Library(LibraryCommand),
    /// Serve the web face (archive, search, Atom feed, BibTeX, 👍/👎 pages) until SIGTERM or SIGINT
    Serve {
        /// IP:port to listen on (else [web] listen, else 127.0.0.1:8025)
        #[arg(long, value_name = "IP:PORT")]
        listen: Option<String>,
    },
    /// The store: check for damage, recover from it, prune and compact
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Like these papers (item keys, arXiv ids, DOIs or URLs); all or nothing
    Up {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Dislike these papers
    Down {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Forget your rating of these papers
    Clear {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Your ratings, newest first
    List {
        /// One JSON object per line: key, vote, at, title
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Import BibTeX, RIS, CSL-JSON, Zotero CSV or a list of arXiv ids/URLs (format told from the content)
    Import {
        file: PathBuf,
        /// bibtex | ris | csl-json | zotero-csv | ids
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
    },
    /// The papers imported so far, newest first
    List {
        /// One JSON object per line: id, title, added, from
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// Compose and deliver now (the only mode; the daemon schedules it otherwise)
    #[arg(long)]
    pub now: bool,
    /// Deliver and record nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not fetch first
    #[arg(long)]
    pub no_fetch: bool,
    /// Also write digest.html, digest.txt, digest.json into this folder
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The digest's date (default: today in the configured time zone)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<chrono::NaiveDate>,
    /// Send again to every channel, even those that already have this date's digest
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config and print the effective config (secrets redacted)
    Check,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// Add the feeds of an OPML file to the config's [[source]] list
    ImportOpml { file: PathBuf },
    /// Print the feed sources as OPML
    ExportOpml,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Read the whole store: integrity check and every record decoded; exit 1 when damaged
    Check,
    /// Copy what is readable into a fresh store, keeping the damaged one aside (stop the daemon first)
    Recover,
    /// Remove what retention allows ([store] keep_days) and give the space back to the disk
    Compact,
}
