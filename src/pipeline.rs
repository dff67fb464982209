//! The two jobs: `run_fetch` and `run_digest`.
