//! Times in store records as integer milliseconds: formatting and parsing RFC 3339 text for every
//! record was the largest cost of writing source health and items.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(t.timestamp_millis())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let ms = i64::deserialize(d)?;
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| serde::de::Error::custom(format!("time out of range: {ms} ms")))
}

/// The same for `Option<DateTime<Utc>>`.
pub mod opt {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&t.timestamp_millis()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<i64>::deserialize(d)? {
            None => Ok(None),
            Some(ms) => DateTime::from_timestamp_millis(ms)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("time out of range: {ms} ms"))),
        }
    }
}
