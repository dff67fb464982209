//! Records kept beside the items: HTTP validators, source health, the digest ledger.

use crate::http::Validators;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the store remembers of one URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HttpState {
    pub validators: Validators,
    pub last_status: Option<u16>,
    #[serde(default, with = "super::ts::opt")]
    pub last_fetch: Option<DateTime<Utc>>,
}

/// Health of one source, shown by `status` and in the digest footer. Stored with its fields by
/// position (`codec::pack_compact`): a new field goes at the end, with a default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub kind: String,
    #[serde(default, with = "super::ts::opt")]
    pub last_success: Option<DateTime<Utc>>,
    #[serde(default, with = "super::ts::opt")]
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Start of the current run of failures (None while healthy).
    #[serde(default, with = "super::ts::opt")]
    pub failing_since: Option<DateTime<Utc>>,
    pub last_counts: FetchCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every source's health, by source name.
pub type Health = std::collections::BTreeMap<String, SourceStatus>;

/// What one source's fetch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchCounts {
    pub new: u32,
    pub merged: u32,
    pub unchanged: u32,
    /// Requests answered 304.
    pub not_modified: u32,
    pub errors: u32,
}

/// Delivery state of one channel for one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    Pending,
    Sent,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelState {
    pub state: DeliveryState,
    pub attempts: u32,
    #[serde(with = "super::ts")]
    pub updated: DateTime<Utc>,
    /// The server's reply or message id once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The ledger entry of one day's digest: composed once, then delivered channel by channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestRecord {
    pub date: NaiveDate,
    #[serde(with = "super::ts")]
    pub composed_at: DateTime<Utc>,
    /// The composed digest (`digest.json` contract), so a retry sends exactly what was composed.
    pub digest_json: String,
    /// Item keys the digest carries.
    pub keys: Vec<String>,
    /// Per delivery target (a channel, or channel/recipient for email).
    pub channels: BTreeMap<String, ChannelState>,
}
