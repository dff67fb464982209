//! Ranking: trend signals plus interest match, with a diversity step.
