//! What each command does, between the parsed command line and the pipeline. Each returns the
//! process exit code: 0 success, 1 config/store/usage error (as `Err`), 2 every source failed,
//! 3 a delivery failed.

mod config;
mod items;
mod learn;
pub mod output;
mod serve;
mod status;
mod store;
mod summarize;

pub use config::{config_check, export_opml, import_opml};
pub use items::items;
pub use learn::{feedback, feedback_list, library_import, library_list, Action as FeedbackAction};
pub use serve::serve;
pub use status::status;
pub use store::{store_check, store_compact, store_recover};
pub use summarize::summarize;

use crate::error::Result;
use crate::pipeline::{self, App, DigestOptions, FetchReport, SourceReport};
use std::io::IsTerminal;

pub const EXIT_ALL_SOURCES_FAILED: i32 = 2;
pub const EXIT_DELIVERY_FAILED: i32 = 3;

fn source_line(r: &SourceReport) -> String {
    let mut s = String::new();
    write_source_line(&mut s, r);
    s
}

/// `source_line` written onto the end of `out`.
fn write_source_line(out: &mut String, r: &SourceReport) {
    use std::fmt::Write;
    let c = r.counts;
    // Pieces, not `write!`: formatting machinery was most of printing a thousand sources' lines.
    let mut n = itoa::Buffer::new();
    out.push_str(&r.name);
    for (label, v) in [
        (": new ", c.new),
        (", merged ", c.merged),
        (", unchanged ", c.unchanged),
        (", not modified ", c.not_modified),
    ] {
        out.push_str(label);
        out.push_str(n.format(v));
    }
    if let Some(e) = &r.error {
        let _ = write!(out, ", error: {}", output::one_line(e));
    }
    if let Some(n) = &r.note {
        let _ = write!(out, " ({})", output::one_line(n));
    }
}

fn summary_line(rep: &FetchReport) -> String {
    let failed = rep.sources.iter().filter(|s| s.error.is_some()).count();
    let sum = |f: fn(&SourceReport) -> u32| rep.sources.iter().map(f).sum::<u32>();
    format!(
        "fetched {} sources: {} new, {} merged, {} unchanged, {} not modified, {} failed",
        rep.sources.len(),
        sum(|s| s.counts.new),
        sum(|s| s.counts.merged),
        sum(|s| s.counts.unchanged),
        sum(|s| s.counts.not_modified),
        failed
    )
}

/// Runs a fetch, showing a progress bar on a terminal and plain lines otherwise.
async fn fetch_with_progress(app: &App, only: Option<&str>, quiet: bool) -> Result<FetchReport> {
    let n = if only.is_some() {
        1
    } else {
        app.config.sources.iter().filter(|s| s.enabled()).count()
    };
    let tty = std::io::stderr().is_terminal() && !quiet;
    let bar = tty.then(|| {
        let b = indicatif::ProgressBar::new(n as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} sources {msg}")
                .expect("valid template"),
        );
        b
    });
    let shown = bar.clone();
    let on_done = move |r: &SourceReport| {
        if let Some(b) = &shown {
            b.inc(1);
            b.set_message(r.name.clone());
            if r.error.is_some() {
                b.println(output::printable(&source_line(r)));
            }
        }
    };
    let rep = pipeline::run_fetch_with(app, only, std::sync::Arc::new(on_done)).await?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(rep)
}

/// `trendd fetch [--source NAME]`.
pub async fn fetch(app: &App, only: Option<&str>, quiet: bool) -> Result<i32> {
    let rep = fetch_with_progress(app, only, quiet).await?;
    if !quiet {
        // One write for the whole report: stdout is line-buffered, and a thousand sources made a
        // thousand system calls.
        let mut out = String::new();
        for s in &rep.sources {
            write_source_line(&mut out, s);
            out.push('\n');
        }
        out.push_str(&summary_line(&rep));
        out.push('\n');
        output::print(&out)?;
    }
    Ok(rep.exit_code())
}

/// `trendd digest --now …`.
pub async fn digest(app: &App, opts: DigestOptions, quiet: bool) -> Result<i32> {
    let mut opts = opts;
    if let Some(d) = opts.date {
        // Before fetching: a refused date should not cost a round of every site.
        pipeline::window::check_date(app, d, chrono::Utc::now())?;
    }
    if opts.fetch {
        let rep = fetch_with_progress(app, None, quiet).await?;
        if !quiet {
            output::eprintln(&summary_line(&rep));
        }
        opts.fetch = false;
    }
    let rep = match pipeline::run_digest(app, &opts).await {
        Err(crate::error::Error::NothingReached(why)) => {
            // Said on stdout too: this run's whole answer is that there is no digest.
            match output::println(&format!("No digest: {why}.")) {
                Ok(()) | Err(crate::error::Error::OutputClosed) => {}
                Err(e) => return Err(e),
            }
            return Ok(EXIT_ALL_SOURCES_FAILED);
        }
        other => other?,
    };
    let date = rep.date.map(|d| d.to_string()).unwrap_or_default();
    // The default file channel is quiet on a fresh machine; the digest itself is the output. It is
    // printed after delivery, so a failing stdout cannot stop (or later repeat) a delivery.
    let printed = match quiet {
        true => Ok(()),
        false => output::println(&rep.text),
    };
    if !quiet {
        if opts.dry_run {
            output::eprintln(&format!(
                "digest {date}: {} items (dry run: nothing delivered or recorded)",
                rep.items
            ));
        } else {
            output::eprintln(&format!(
                "digest {date}: {} items; delivered: {}; already sent: {}; failed: {}",
                rep.items,
                list(&rep.delivered),
                list(&rep.already_sent),
                rep.failed.len()
            ));
        }
        for line in written_to(app, &rep) {
            output::eprintln(&line);
        }
        if let Some(out) = &opts.out {
            output::eprintln(&format!(
                "wrote digest.html, digest.txt, digest.json to {}",
                out.display()
            ));
        }
    }
    for (target, why) in &rep.failed {
        output::eprintln(&format!(
            "delivery failed: {target}: {}",
            output::one_line(why)
        ));
    }
    let code = if rep.failed.is_empty() {
        0
    } else {
        EXIT_DELIVERY_FAILED
    };
    match printed {
        Err(crate::error::Error::OutputClosed) if code != 0 => Ok(code),
        Err(e) => Err(e),
        Ok(()) => Ok(code),
    }
}

/// "digest 2026-12-02 written to DIR/2026-12-02.html (.txt, .json)" for each file channel that holds
/// this digest, whether written now or by an earlier run.
fn written_to(app: &App, rep: &pipeline::DigestReport) -> Vec<String> {
    let Some(date) = rep.date else {
        return Vec::new();
    };
    app.config
        .delivers
        .iter()
        .filter_map(|d| match d {
            crate::config::DeliverConfig::File(c) => {
                let name = d.name();
                let done = rep.delivered.contains(&name) || rep.already_sent.contains(&name);
                done.then(|| {
                    let ch = crate::deliver::FileChannel::new(name, c, &app.state_dir);
                    format!(
                        "digest {date} written to {} (.txt, .json beside it)",
                        ch.dir().join(format!("{date}.html")).display()
                    )
                })
            }
            _ => None,
        })
        .collect()
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}
