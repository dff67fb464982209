//! `trendd run`: scheduled fetches and digests, systemd notify, signals.

pub mod schedule;
