//! `trendd store check | recover | compact`.

use crate::error::{Error, Result};
use crate::pipeline::App;
use crate::store::{self, Store};
use std::io::Write;
use std::path::Path;

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("writing the report", e))
        }
        _ => Ok(()),
    }
}

/// `trendd store check`: exit 0 when sound, 1 when damaged (what was found is printed).
pub fn store_check(state_dir: &Path) -> Result<i32> {
    let s = match Store::open_unchecked(state_dir) {
        Ok(s) => s,
        Err(e @ Error::StoreCorrupt { .. }) => {
            print(&format!("{e}\n"))?;
            return Ok(1);
        }
        Err(e) => return Err(e),
    };
    let rep = s.check();
    let mut t = format!("store: {}\n", s.path().display());
    for (table, n) in &rep.rows {
        t.push_str(&format!("  {table}: {n} rows read\n"));
    }
    if rep.problems.is_empty() {
        t.push_str("ok: every page and every record reads\n");
    } else {
        for p in rep.problems.iter().take(50) {
            t.push_str(&format!("  DAMAGED: {p}\n"));
        }
        if rep.problems.len() > 50 {
            t.push_str(&format!("  … and {} more\n", rep.problems.len() - 50));
        }
        t.push_str(&format!(
            "damaged: {} problems; `trendd store recover` copies what is readable into a fresh store\n",
            rep.problems.len()
        ));
    }
    print(&t)?;
    Ok(if rep.problems.is_empty() { 0 } else { 1 })
}

/// `trendd store recover`.
pub fn store_recover(state_dir: &Path) -> Result<i32> {
    let rep = store::recover(state_dir)?;
    let mut t = String::new();
    let (mut copied, mut lost) = (0, 0);
    for (table, c, l) in &rep.tables {
        t.push_str(&format!("  {table}: {c} saved, {l} lost\n"));
        copied += c;
        lost += l;
    }
    t.push_str(&format!(
        "recovered {copied} records ({lost} unreadable) into a fresh store; the damaged one is kept at {}\n",
        rep.kept_aside.display()
    ));
    print(&t)?;
    Ok(0)
}

/// `trendd store compact`.
pub fn store_compact(app: &App) -> Result<i32> {
    let keep = app.config.retention_days();
    let rep = app.store.compact(keep, chrono::Utc::now())?;
    print(&format!(
        "removed {} items (and {} aliases) older than {keep} days that no digest carried; {} items kept; store {:.1} MB -> {:.1} MB\n",
        rep.pruned,
        rep.aliases,
        rep.kept,
        rep.bytes_before as f64 / 1e6,
        rep.bytes_after as f64 / 1e6
    ))?;
    Ok(0)
}
