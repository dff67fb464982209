//! The feed parser on arbitrary bytes: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = trendd::sources::feed::parse_feed(data, None, "https://example.org/feed/");
});
