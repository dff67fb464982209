//! Values on disk: MessagePack with field names (fields can be added later), zstd-compressed when
//! large. Abstracts and composed digests are most of the store's bytes and compress to about half.
//! The zstd frame's checksum, or a CRC-32 on a value kept raw, makes a flipped byte in a stored
//! value an error instead of wrong data.

use serde::{de::DeserializeOwned, Serialize};
use std::cell::RefCell;

/// First byte of a stored value: how the rest is kept.
const RAW: u8 = 0;
const ZSTD: u8 = 1;
/// Raw, then the CRC-32 of it (4 bytes, little-endian).
const CHECKED: u8 = 2;

/// Values shorter than this are kept raw, without a checksum: the few bytes of a counter or a flag.
const CHECK_FROM: usize = 160;

/// Values shorter than this are kept raw with a checksum (`CHECKED`). A zstd frame's fixed cost is
/// its entropy tables, about as much work as compressing 20 KB of text: below 1 KiB (a record
/// without an abstract) that cost more than the ~150 bytes it saved, while every record with an
/// abstract is still compressed. Either way a flipped byte is an error, not wrong data.
const COMPRESS_FROM: usize = 1024;

/// Level 3 (zstd's default): level 1 made items 6% larger for no measurable fetch time.
const LEVEL: i32 = 3;

/// Values from this size on (the health of a thousand sources, a composed digest) are compressed at
/// `LARGE_LEVEL`: at level 3 the context for such a value is ~1 MB of tables, fresh memory in a short
/// command, and that cost more than the value's encoding.
const LARGE: usize = 64 * 1024;
const LARGE_LEVEL: i32 = 1;

/// One compression context for the process: values are packed inside the store's write
/// transaction, one at a time, and a context per fetch worker cost more to set up than it saved.
static CCTX: std::sync::Mutex<Option<zstd::bulk::Compressor<'static>>> =
    std::sync::Mutex::new(None);

thread_local! {
    static DCTX: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

pub(crate) fn enc<T: Serialize>(v: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(v).expect("serializing a store record cannot fail")
}

pub(crate) fn dec<T: DeserializeOwned>(b: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(b).map_err(|e| e.to_string())
}

/// A record as stored: a tag byte, then raw or compressed MessagePack.
pub(crate) fn pack<T: Serialize>(v: &T) -> Vec<u8> {
    pack_encoded(&enc(v))
}

/// `pack` with fields by position instead of by name, for a record of many values of one shape
/// (the health of every source): the names were most of its bytes and of the time to write it.
/// Both forms read back alike (`unpack`); a type stored so may grow only by fields added at its
/// end, each with a default.
pub(crate) fn pack_compact<T: Serialize>(v: &T) -> Vec<u8> {
    pack_encoded(&rmp_serde::to_vec(v).expect("serializing a store record cannot fail"))
}

/// `pack` of a value already in MessagePack (a record carried over from an older store).
pub(crate) fn pack_encoded(raw: &[u8]) -> Vec<u8> {
    if raw.len() < CHECK_FROM {
        let mut out = Vec::with_capacity(raw.len() + 1);
        out.push(RAW);
        out.extend_from_slice(raw);
        return out;
    }
    if raw.len() < COMPRESS_FROM {
        let mut out = Vec::with_capacity(raw.len() + 5);
        out.push(CHECKED);
        out.extend_from_slice(raw);
        out.extend_from_slice(&crc32fast::hash(raw).to_le_bytes());
        return out;
    }
    let mut c = CCTX.lock().unwrap_or_else(|p| p.into_inner());
    let cctx = c.get_or_insert_with(|| {
        let mut z = zstd::bulk::Compressor::new(LEVEL).expect("zstd context");
        z.include_checksum(true).expect("zstd checksum flag");
        z
    });
    let level = if raw.len() >= LARGE {
        LARGE_LEVEL
    } else {
        LEVEL
    };
    cctx.set_parameter(zstd::zstd_safe::CParameter::CompressionLevel(level))
        .expect("zstd level");
    let mut out = vec![ZSTD];
    out.extend_from_slice(&cctx.compress(raw).expect("zstd compresses into a Vec"));
    out
}

pub(crate) fn unpack<T: DeserializeOwned>(b: &[u8]) -> Result<T, String> {
    match b.first() {
        Some(&RAW) => dec(&b[1..]),
        Some(&CHECKED) => {
            let (raw, sum) = b[1..]
                .split_last_chunk::<4>()
                .ok_or("checked value without its checksum")?;
            if crc32fast::hash(raw) != u32::from_le_bytes(*sum) {
                return Err("checked value does not match its checksum".into());
            }
            dec(raw)
        }
        Some(&ZSTD) => {
            let frame = &b[1..];
            let size = zstd::zstd_safe::get_frame_content_size(frame)
                .ok()
                .flatten()
                .ok_or("compressed value without its size")?;
            if size > 256 << 20 {
                return Err(format!("compressed value claims {size} bytes"));
            }
            let raw = DCTX.with(|d| {
                let mut d = d.borrow_mut();
                let dctx = d.get_or_insert_with(|| {
                    zstd::bulk::Decompressor::new().expect("zstd decompression context")
                });
                dctx.decompress(frame, size as usize)
                    .map_err(|e| format!("compressed value does not decode: {e}"))
            })?;
            dec(&raw)
        }
        Some(t) => Err(format!("unknown value tag {t}")),
        None => Err("empty value".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_stay_raw_and_large_ones_round_trip_compressed() {
        let small = pack(&"hi");
        assert_eq!(small[0], RAW);
        assert_eq!(unpack::<String>(&small).unwrap(), "hi");
        let text = "we propose a method that learns the representation. ".repeat(20);
        let big = pack(&text);
        assert_eq!(big[0], ZSTD);
        assert!(big.len() < text.len() / 4, "{} bytes", big.len());
        assert_eq!(unpack::<String>(&big).unwrap(), text);
    }

    #[test]
    fn a_flipped_byte_in_a_checked_value_is_an_error() {
        let text = "a short blog summary. ".repeat(12);
        let mut b = pack(&text);
        assert_eq!(b[0], CHECKED);
        assert_eq!(unpack::<String>(&b).unwrap(), text);
        let mid = b.len() / 2;
        b[mid] ^= 0x10;
        assert!(unpack::<String>(&b).is_err());
        assert!(unpack::<String>(&[CHECKED, 1, 2]).is_err());
    }

    #[test]
    fn a_flipped_byte_in_a_compressed_value_is_an_error() {
        let text = "an abstract about diffusion models and their training. ".repeat(30);
        let mut b = pack(&text);
        assert_eq!(b[0], ZSTD);
        let mid = b.len() / 2;
        b[mid] ^= 0x10;
        assert!(unpack::<String>(&b).is_err());
    }
}
