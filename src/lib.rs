//! trendd: the day's machine-learning research trends in one 10-minute digest.
//!
//! The pipeline reads top to bottom: `sources` (through the shared `http` client) turn bytes into
//! `model::Entry`s, `identity` gives each one key, `store` merges and keeps them, `summarize` writes
//! TL;DRs, `rank` and `compose` choose what fits the reading budget, `render` turns it into HTML, text,
//! Slack blocks and JSON, and `deliver` sends it exactly once per day and channel. `pipeline` holds the
//! two jobs (`run_fetch`, `run_digest`) that `main` and `daemon` call.

pub mod alloc;
pub mod cli;
pub mod commands;
pub mod compose;
pub mod config;
pub mod control;
pub mod daemon;
pub mod deliver;
pub mod error;
pub mod http;
pub mod identity;
pub mod learn;
pub mod links;
pub mod model;
pub mod pipeline;
pub mod rank;
pub mod render;
pub mod sources;
pub mod store;
pub mod summarize;
pub mod text;
pub mod trend;
pub mod web;

pub use error::{Error, Result};
