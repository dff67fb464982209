//! Values on disk: MessagePack with field names (fields can be added later), compressed when
//! large: LZ4 for a record (an abstract is most of the store's bytes), zstd for the few very large
//! values (the health of every source, a composed digest). The zstd frame's checksum, or a CRC-32
//! on any other value, makes a flipped byte in a stored value an error instead of wrong data.

use serde::{de::DeserializeOwned, Serialize};
use std::cell::RefCell;

/// First byte of a stored value: how the rest is kept.
const RAW: u8 = 0;
const ZSTD: u8 = 1;
/// Raw, then the CRC-32 of it (4 bytes, little-endian).
const CHECKED: u8 = 2;
/// The raw length (4 bytes, little-endian), the CRC-32 of the raw value, then its LZ4 block.
const LZ4: u8 = 3;

/// Values shorter than this are kept raw, without a checksum: the few bytes of a counter or a flag.
const CHECK_FROM: usize = 160;

/// Values shorter than this are kept raw with a checksum (`CHECKED`): compressing a record without
/// an abstract cost more than the ~150 bytes it saved.
const COMPRESS_FROM: usize = 1024;

/// Values from this size on (the health of a thousand sources, a composed digest) are zstd frames
/// at `LARGE_LEVEL`; smaller ones are LZ4 blocks. A zstd frame's fixed cost is its context reset
/// and entropy tables: some 150k instructions for a 1–2 KiB record, the cost of parsing seven
/// feeds, where LZ4 takes 36k. LZ4 compresses less: 2,558 bytes on disk per item against 2,158
/// with zstd, both within twice an item's logical size (`BENCHMARKS.md`).
/// At level 3 the context for a large value is ~1 MB of tables, fresh memory in a short command,
/// which cost more than the value's encoding; level 1 is smaller.
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
    if raw.len() < LARGE {
        let mut out = Vec::with_capacity(9 + lz4_flex::block::get_maximum_output_size(raw.len()));
        out.push(LZ4);
        out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(raw).to_le_bytes());
        let at = out.len();
        out.resize(out.capacity(), 0);
        let n = lz4_flex::block::compress_into(raw, &mut out[at..])
            .expect("the buffer is LZ4's bound for this value");
        out.truncate(at + n);
        return out;
    }
    let mut c = CCTX.lock().unwrap_or_else(|p| p.into_inner());
    let cctx = c.get_or_insert_with(|| {
        let mut z = zstd::bulk::Compressor::new(LARGE_LEVEL).expect("zstd context");
        z.include_checksum(true).expect("zstd checksum flag");
        z
    });
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
        Some(&LZ4) => {
            let head = b.get(1..9).ok_or("compressed value without its size")?;
            let size = u32::from_le_bytes(head[..4].try_into().expect("4 bytes")) as usize;
            let sum = u32::from_le_bytes(head[4..].try_into().expect("4 bytes"));
            if size >= LARGE {
                return Err(format!("compressed value claims {size} bytes"));
            }
            let mut raw = vec![0; size];
            match lz4_flex::block::decompress_into(&b[9..], &mut raw) {
                Ok(n) if n == size => {}
                Ok(n) => return Err(format!("compressed value gave {n} bytes of {size}")),
                Err(e) => return Err(format!("compressed value does not decode: {e}")),
            }
            if crc32fast::hash(&raw) != sum {
                return Err("compressed value does not match its checksum".into());
            }
            dec(&raw)
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
        assert_eq!(big[0], LZ4);
        assert!(big.len() < text.len() / 4, "{} bytes", big.len());
        assert_eq!(unpack::<String>(&big).unwrap(), text);
        let huge = "a health record of many sources, ".repeat(3000);
        let frame = pack(&huge);
        assert_eq!(frame[0], ZSTD);
        assert!(frame.len() < huge.len() / 20, "{} bytes", frame.len());
        assert_eq!(unpack::<String>(&frame).unwrap(), huge);
    }

    #[test]
    fn values_of_the_older_forms_still_read() {
        // Schema 4 kept every value of 1 KiB and more as a zstd frame at level 3.
        let text = "an abstract stored by an older trendd. ".repeat(40);
        let mut old = vec![ZSTD];
        old.extend(zstd::bulk::compress(&enc(&text), 3).unwrap());
        assert_eq!(unpack::<String>(&old).unwrap(), text);
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
        for text in [
            "an abstract about diffusion models and their training. ".repeat(30),
            "the health of a thousand sources. ".repeat(3000),
        ] {
            let b = pack(&text);
            // Every byte after the tag: its size, its checksum and the data itself.
            for at in [1, 6, b.len() / 2, b.len() - 1] {
                let mut bad = b.clone();
                bad[at] ^= 0x10;
                assert!(
                    unpack::<String>(&bad).is_err(),
                    "flipped byte {at} of {}",
                    b.len()
                );
            }
            assert!(unpack::<String>(&b[..b.len() / 2]).is_err(), "a cut value");
        }
    }
}
