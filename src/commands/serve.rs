//! `trendd serve`: the web face alone, until SIGTERM or SIGINT.

use crate::daemon::signals::{Request, Signals};
use crate::error::Result;
use crate::pipeline::App;

pub async fn serve(app: &App, listen: Option<&str>) -> Result<i32> {
    // Installed before the port is bound, so a stop request that comes at once is not lost.
    let mut signals = Signals::install()?;
    let running = crate::web::start(app, listen)?;
    eprintln!("serving http://{}/ (stop with Ctrl-C)", running.addr);
    loop {
        match signals.recv().await {
            Request::Stop(_) => break,
            // Nothing to reload: `serve` reads the store live; a changed [web] needs a restart.
            Request::Reload => tracing::info!("SIGHUP: nothing to reload; restart to change [web]"),
        }
    }
    running.stop().await;
    app.store.flush()?;
    Ok(0)
}
