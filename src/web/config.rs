//! `[web]` keys: where the web face listens, and the bounds it keeps. The struct lives with the rest of
//! the config (`config::Web`); what its values mean is decided here.

use crate::config::Web;
use std::net::SocketAddr;
use std::time::Duration;

/// Where `trendd serve` listens when `[web] listen` is empty.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8025";

/// Checks `[web]`; returns the key and what is wrong (see `Config::validate`).
pub fn validate(w: &Web) -> Result<(), (String, String)> {
    if !w.listen.trim().is_empty() {
        let addr = parse_listen(&w.listen).map_err(|m| ("web.listen".to_string(), m))?;
        if !addr.ip().is_loopback() && !w.allow_remote {
            return Err((
                "web.listen".into(),
                format!(
                    "{addr} is not a loopback address: anyone who can reach it could read your digests; \
                     set `allow_remote = true` in [web] to mean it, or listen on 127.0.0.1"
                ),
            ));
        }
    }
    if let Some(b) = &w.base_url {
        match url::Url::parse(b) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err((
                    "web.base_url".into(),
                    format!("{b:?} is not an http(s) URL such as \"http://127.0.0.1:8025\""),
                ))
            }
        }
    }
    if w.max_requests_per_second == 0 || w.max_requests_per_second > 100_000 {
        return Err((
            "web.max_requests_per_second".into(),
            "must be between 1 and 100000".into(),
        ));
    }
    if w.client_timeout_secs == 0 || w.client_timeout_secs > 3600 {
        return Err((
            "web.client_timeout_secs".into(),
            "must be between 1 and 3600".into(),
        ));
    }
    Ok(())
}

/// `IP:port` (IPv6 as `[::1]:8025`). Host names are refused: what a name resolves to can change,
/// and the loopback rule is about the address actually bound.
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.trim().parse::<SocketAddr>().map_err(|_| {
        format!("{s:?} is not an IP:port such as \"127.0.0.1:8025\" (host names are not accepted)")
    })
}

/// What the server runs with, resolved from `[web]` (and `trendd serve --listen`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    /// The absolute base of links and of the feed's ids: `base_url`, else `http://{listen}`.
    pub base: String,
    /// Whether `base_url` was configured (the digest page's links then use it, as the email's do).
    pub base_url_set: bool,
    pub max_requests_per_second: u32,
    pub client_timeout: Duration,
}

impl Settings {
    /// `listen` overrides `[web] listen`; with neither, [`DEFAULT_LISTEN`].
    pub fn resolve(w: &Web, listen: Option<&str>) -> crate::Result<Settings> {
        let text = listen
            .map(str::to_string)
            .or_else(|| Some(w.listen.clone()).filter(|l| !l.trim().is_empty()))
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let addr = parse_listen(&text).map_err(crate::Error::Web)?;
        if !addr.ip().is_loopback() && !w.allow_remote {
            return Err(crate::Error::Web(format!(
                "{addr} is not a loopback address; set `allow_remote = true` in [web] to serve it"
            )));
        }
        let base = match &w.base_url {
            Some(b) => b.trim_end_matches('/').to_string(),
            None => format!("http://{addr}"),
        };
        Ok(Settings {
            listen: addr,
            base,
            base_url_set: w.base_url.is_some(),
            max_requests_per_second: w.max_requests_per_second.max(1),
            client_timeout: Duration::from_secs(w.client_timeout_secs.max(1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(listen: &str, allow_remote: bool) -> Web {
        Web {
            listen: listen.into(),
            allow_remote,
            base_url: None,
            max_requests_per_second: 50,
            client_timeout_secs: 10,
        }
    }

    #[test]
    fn loopback_is_the_default_and_remote_must_be_asked_for() {
        assert!(validate(&web("", false)).is_ok());
        assert!(validate(&web("127.0.0.1:8025", false)).is_ok());
        assert!(validate(&web("[::1]:8025", false)).is_ok());
        let (key, msg) = validate(&web("0.0.0.0:8025", false)).unwrap_err();
        assert_eq!(key, "web.listen");
        assert!(msg.contains("allow_remote"), "{msg}");
        assert!(validate(&web("0.0.0.0:8025", true)).is_ok());
        assert_eq!(
            validate(&web("localhost:8025", false)).unwrap_err().0,
            "web.listen"
        );
        assert!(Settings::resolve(&web("0.0.0.0:1", false), None).is_err());
        let s = Settings::resolve(&web("", false), None).unwrap();
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.base, "http://127.0.0.1:8025");
    }

    #[test]
    fn base_url_and_bounds_are_checked() {
        let mut w = web("", false);
        w.base_url = Some("javascript:alert(1)".into());
        assert_eq!(validate(&w).unwrap_err().0, "web.base_url");
        w.base_url = Some("https://trendd.example.org/".into());
        assert!(validate(&w).is_ok());
        assert_eq!(
            Settings::resolve(&w, Some("127.0.0.1:9")).unwrap().base,
            "https://trendd.example.org"
        );
        w.max_requests_per_second = 0;
        assert_eq!(validate(&w).unwrap_err().0, "web.max_requests_per_second");
    }
}
