//! Provider formats that are neither DSN nor ARF nor free text, one family per file.

pub mod amazonses;
