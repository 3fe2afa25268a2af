//! The BillionMail admin: Leptos components, pages and server functions.
//!
//! Compiled twice: with `ssr` into the server (rendering + server-function bodies, which
//! call `engine`), and with `hydrate` into the browser's WebAssembly bundle.

pub mod api;
pub mod app;
pub mod components;
pub mod nav;
pub mod pages;
pub mod shell;

pub use app::App;
pub use shell::shell;
