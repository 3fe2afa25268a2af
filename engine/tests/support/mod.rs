//! Shared helpers for the engine's integration tests that need real network peers.
#![allow(dead_code)]

pub mod dnsmasq;
pub mod smtp_sink;
