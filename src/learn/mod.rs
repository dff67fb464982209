//! Learning the reader: ratings (`feedback`), and the signed links that carry them (`token`).

pub mod feedback;
pub mod token;

pub use feedback::{Rating, Vote};

/// Today there is one reader; every record keeps the id so one daemon can later serve many.
pub const DEFAULT_READER: &str = "default";
