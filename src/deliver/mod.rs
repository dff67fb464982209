//! Delivery channels and the exactly-once ledger.
