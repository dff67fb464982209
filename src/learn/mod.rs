//! Learning the reader: ratings (`feedback`), the signed links that carry them (`token`), the
//! reader's library of papers (`library`), the features and model that learn from both (`features`,
//! `model`), and how the model meets the ranker (`rerank`).

pub mod features;
pub mod feedback;
pub mod formats;
pub mod library;
pub mod links;
pub mod model;
pub mod rerank;
pub mod resolve;
pub mod token;
pub mod train;

pub use feedback::{Rating, Vote};

/// Today there is one reader; every record keeps the id so one daemon can later serve many.
pub const DEFAULT_READER: &str = "default";
