//! Signed 👍/👎 links: `{base_url}/f/{token}`, where the token is base64url (no padding) of
//! `reader \0 date \0 key \0 vote` followed by the 32-byte HMAC-SHA256 of those bytes under a secret
//! that lives only in the state directory (`feedback.key`, mode 0600, made on first use). The email
//! that carries a link and the web page that receives it both go through this file, so they agree.

use super::Vote;
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::{Path, PathBuf};

type HmacSha256 = Hmac<Sha256>;
const MAC_LEN: usize = 32;
const SECRET_FILE: &str = "feedback.key";

/// What a verified token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub reader: String,
    pub date: NaiveDate,
    pub key: String,
    pub vote: Vote,
}

/// The secret that signs links, read from (or first created in) the state directory.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(SECRET_FILE)
    }

    /// Reads the secret, creating it (32 random bytes, mode 0600) when there is none yet.
    pub fn load_or_create(state_dir: &Path) -> Result<Secret> {
        let path = Self::path(state_dir);
        match std::fs::read(&path) {
            Ok(b) if b.len() >= 32 => return Ok(Secret(b)),
            Ok(_) => {
                return Err(Error::Other(format!(
                    "{}: the feedback secret is too short; delete the file to make a new one (old links stop working)",
                    path.display()
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        }
        std::fs::create_dir_all(state_dir)
            .map_err(|e| Error::io(format!("creating {}", state_dir.display()), e))?;
        let mut bytes = vec![0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Other(format!("no random bytes for the feedback secret: {e}")))?;
        let tmp = path.with_extension("key.tmp");
        {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(|e| Error::io(format!("creating {}", tmp.display()), e))?;
            f.write_all(&bytes)
                .and_then(|_| f.sync_all())
                .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        }
        // Two processes making the secret at once: the first rename wins and both read it back.
        if std::fs::hard_link(&tmp, &path).is_err() && !path.exists() {
            std::fs::rename(&tmp, &path)
                .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        }
        let _ = std::fs::remove_file(&tmp);
        let b = std::fs::read(&path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Ok(Secret(b))
    }

    /// A secret from given bytes (tests, benchmarks).
    pub fn from_bytes(b: &[u8]) -> Secret {
        Secret(b.to_vec())
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        let mut m = HmacSha256::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        m.update(payload);
        m
    }

    pub fn sign(&self, c: &Claim) -> String {
        let payload = payload(c);
        let mut bytes = payload.clone();
        bytes.extend_from_slice(&self.mac(&payload).finalize().into_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The claim of a token this secret signed; None for anything else (malformed, forged, altered).
    pub fn verify(&self, token: &str) -> Option<Claim> {
        if token.len() > 2048 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
        if bytes.len() <= MAC_LEN {
            return None;
        }
        let (payload, tag) = bytes.split_at(bytes.len() - MAC_LEN);
        self.mac(payload).verify_slice(tag).ok()?;
        let text = std::str::from_utf8(payload).ok()?;
        let mut parts = text.split('\0');
        let reader = parts.next()?.to_string();
        let date = NaiveDate::parse_from_str(parts.next()?, "%Y-%m-%d").ok()?;
        let key = parts.next()?.to_string();
        let vote = Vote::parse(parts.next()?)?;
        if parts.next().is_some() || reader.is_empty() || key.is_empty() {
            return None;
        }
        Some(Claim {
            reader,
            date,
            key,
            vote,
        })
    }
}

fn payload(c: &Claim) -> Vec<u8> {
    format!("{}\0{}\0{}\0{}", c.reader, c.date, c.key, c.vote.as_str()).into_bytes()
}

/// `{base_url}/f/{token}` for one entry of one digest.
pub fn link(base_url: &str, secret: &Secret, c: &Claim) -> String {
    format!("{}/f/{}", base_url.trim_end_matches('/'), secret.sign(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> Claim {
        Claim {
            reader: "default".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            key: "2604.26904".into(),
            vote: Vote::Up,
        }
    }

    #[test]
    fn a_signed_claim_verifies_and_any_change_does_not() {
        let s = Secret::from_bytes(&[7u8; 32]);
        let t = s.sign(&claim());
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(s.verify(&t), Some(claim()));
        assert_eq!(Secret::from_bytes(&[8u8; 32]).verify(&t), None);
        let mut forged = claim();
        forged.vote = Vote::Down;
        let mut bytes = payload(&forged);
        bytes.extend_from_slice(&[0u8; 32]);
        assert_eq!(s.verify(&URL_SAFE_NO_PAD.encode(bytes)), None);
        let mut flipped = t.clone().into_bytes();
        flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
        assert_eq!(s.verify(std::str::from_utf8(&flipped).unwrap()), None);
        assert_eq!(s.verify(""), None);
        assert_eq!(s.verify("!!!"), None);
    }

    #[test]
    fn the_secret_is_made_once_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let a = Secret::load_or_create(dir.path()).unwrap();
        let b = Secret::load_or_create(dir.path()).unwrap();
        assert_eq!(a.0, b.0);
        let mode = std::fs::metadata(Secret::path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(b.verify(&a.sign(&claim())), Some(claim()));
    }
}
