//! The listener and the bounds that keep a slow or greedy client from holding the daemon: hyper's
//! HTTP/1 connection builder gives a header-read deadline (axum's own `serve` has none), a semaphore
//! caps open connections, each connection lives at most [`MAX_CONNECTION_LIFE`] before it is asked to
//! close, tower-http bounds request bodies (size and time) and the time to answer, and governor caps
//! the request rate of all clients together.

use super::{pages, Ctx, Settings};
use crate::error::{Error, Result};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Semaphore};
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::{info, warn};

/// Open connections at most; more wait in the kernel's accept queue.
pub const MAX_CONNECTIONS: usize = 64;
/// A connection (keep-alive included) is asked to close after this long.
pub const MAX_CONNECTION_LIFE: Duration = Duration::from_secs(60);
/// Largest request body read (the POSTs carry none; their token is in the path).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Longest time a response may take (a search over a large store included).
pub const MAX_RESPONSE_TIME: Duration = Duration::from_secs(30);

/// No script at all; styles inline only (the email's HTML is inline-styled); forms post back here only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A running web face.
pub struct Running {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets answers in flight finish (a few seconds at most), and returns.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .is_err()
        {
            warn!("the web face did not stop within 5 s; its connections were dropped");
        }
    }
}

/// Binds the listen address and serves in the background. Binding happens here, so a port in use
/// is an error of the command (or of the daemon's start), not a log line later.
pub fn start(app: &crate::pipeline::App, listen: Option<&str>) -> Result<Running> {
    let mut settings = Settings::resolve(&app.config.web, listen)?;
    let secret = crate::learn::token::Secret::load_or_create(&app.state_dir)?;
    let std_listener = std::net::TcpListener::bind(settings.listen)
        .map_err(|e| Error::Web(format!("cannot listen on {}: {e}", settings.listen)))?;
    std_listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("setting up the web listener", e))?;
    let listener = tokio::net::TcpListener::from_std(std_listener)
        .map_err(|e| Error::io("setting up the web listener", e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("reading the web listener's address", e))?;
    if !settings.base_url_set {
        // Port 0 asks the kernel for one; links and the feed's ids name the port actually bound.
        settings.base = format!("http://{addr}");
    }
    if addr.ip().is_loopback() {
        info!("web face on http://{addr}/");
    } else {
        warn!(
            "web face on http://{addr}/, a non-loopback address (allow_remote = true): anyone who can \
             reach it can read your digests and search your store; prefer a reverse proxy with TLS"
        );
    }
    let ctx = Ctx {
        store: app.store.clone(),
        secret,
        tz: app.config.timezone(),
        settings: Arc::new(settings),
    };
    let router = router(ctx.clone());
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(
        listener,
        router,
        ctx.settings.client_timeout,
        stopped,
    ));
    Ok(Running { addr, stop, task })
}

/// Every route, under the limits and headers every response gets.
pub(crate) fn router(ctx: Ctx) -> axum::Router {
    let per_second = NonZeroU32::new(ctx.settings.max_requests_per_second.max(1)).expect("≥ 1");
    let limiter = Arc::new(RateLimiter::direct(
        Quota::per_second(per_second)
            .allow_burst(per_second.saturating_mul(NonZeroU32::new(2).expect("2 > 0"))),
    ));
    let timeout = ctx.settings.client_timeout;
    pages::routes()
        .with_state(ctx)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(timeout))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            MAX_RESPONSE_TIME,
        ))
        .layer(middleware::from_fn_with_state(limiter, rate_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // A token in the address bar must not travel to the sites a page links to.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

async fn rate_limit(
    State(limiter): State<Arc<DefaultDirectRateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    if limiter.check().is_err() {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "too many requests; try again in a second\n",
        )
            .into_response();
    }
    next.run(req).await
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    client_timeout: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut conns = tokio::task::JoinSet::new();
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = stopped.changed() => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    warn!("web face: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        let svc = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut stop = stopped.clone();
        conns.spawn(async move {
            let _permit = permit;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(client_timeout)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = tokio::time::sleep(MAX_CONNECTION_LIFE) => {}
                _ = stop.changed() => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(client_timeout, conn).await;
        });
        // Reap finished connections so the set does not grow with the daemon's age.
        while conns.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(4), async {
        while conns.join_next().await.is_some() {}
    })
    .await;
}
