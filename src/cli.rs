//! The command line (contract: see README and DESIGN).
