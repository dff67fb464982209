//! Where a redirect may lead. A feed on the public internet must not be able to point trendd at the
//! machine's own services or its network (`302 Location: http://127.0.0.1:…/internal-admin`, or a
//! name whose DNS answer is a private address): a redirect from a public address to a loopback,
//! private, link-local, shared (CGNAT), multicast or unspecified one is refused. A configured URL that
//! is itself local (a feed on the LAN, the tests' loopback servers) may redirect anywhere: the user
//! chose that place.
//!
//! Names are resolved here before the hop; reqwest resolves them again when it connects, so a DNS
//! server answering differently within that instant is not caught. Requests through a proxy are
//! resolved by the proxy; a name this machine cannot resolve counts as public.

use std::net::{IpAddr, Ipv4Addr};

/// True for addresses that are not on the public internet.
pub fn is_local_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => local_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return local_v4(v4);
            }
            let seg0 = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg0 & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg0 & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated, still routed privately)
        }
    }
}

fn local_v4(v4: Ipv4Addr) -> bool {
    let o = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_multicast()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space 100.64.0.0/10
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18.0.0/15
}

/// The local addresses `url`'s host stands for (an address literal, or what its name resolves to);
/// empty when it is public or cannot be resolved here.
async fn local_addresses(url: &url::Url) -> Vec<IpAddr> {
    let port = url.port_or_known_default().unwrap_or(80);
    match url.host() {
        Some(url::Host::Ipv4(a)) => [IpAddr::V4(a)]
            .into_iter()
            .filter(|a| is_local_ip(*a))
            .collect(),
        Some(url::Host::Ipv6(a)) => [IpAddr::V6(a)]
            .into_iter()
            .filter(|a| is_local_ip(*a))
            .collect(),
        Some(url::Host::Domain(name)) => match tokio::net::lookup_host((name, port)).await {
            Ok(addrs) => addrs.map(|a| a.ip()).filter(|a| is_local_ip(*a)).collect(),
            Err(_) => Vec::new(),
        },
        None => Vec::new(),
    }
}

/// Decides one redirect hop from `origin` (the URL first asked for) to `next`. `origin_local` caches
/// what the origin is, so it is resolved at most once per request and only when it redirects.
pub async fn check_redirect(
    origin: &url::Url,
    next: &url::Url,
    origin_local: &mut Option<bool>,
) -> Result<(), String> {
    if next.host() == origin.host() {
        return Ok(());
    }
    let from_local = match *origin_local {
        Some(v) => v,
        None => {
            let v = !local_addresses(origin).await.is_empty();
            *origin_local = Some(v);
            v
        }
    };
    if from_local {
        return Ok(());
    }
    let to = local_addresses(next).await;
    match to.first() {
        None => Ok(()),
        Some(a) => Err(format!(
            "redirect to {} refused: it leads from a public address to a local one ({a}: loopback, private, link-local or multicast)",
            without_credentials(next.as_str())
        )),
    }
}

/// `url` with any `user:password@` taken out, for messages and logs.
pub fn without_credentials(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ranges_are_local_and_public_ones_are_not() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "ff02::1",
        ] {
            assert!(is_local_ip(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "151.101.1.1", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_local_ip(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn credentials_are_never_shown() {
        let s = without_credentials("https://user:hunter2@feeds.example.org/rss?x=1");
        assert_eq!(s, "https://feeds.example.org/rss?x=1");
        assert_eq!(
            without_credentials("http://a.example/"),
            "http://a.example/"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_public_origin_may_not_redirect_to_loopback() {
        let public: url::Url = "http://93.184.215.14/feed".parse().unwrap();
        let mut cache = None;
        for to in [
            "http://127.0.0.1:9/admin",
            "http://[::1]/x",
            "http://localhost:9/admin",
        ] {
            let next: url::Url = to.parse().unwrap();
            let e = check_redirect(&public, &next, &mut cache)
                .await
                .unwrap_err();
            assert!(
                e.contains("refused") && e.contains(next.host_str().unwrap()),
                "{e}"
            );
        }
        let lan: url::Url = "http://192.168.1.5/feed".parse().unwrap();
        let next: url::Url = "http://127.0.0.1/x".parse().unwrap();
        assert!(check_redirect(&lan, &next, &mut None).await.is_ok());
    }
}
