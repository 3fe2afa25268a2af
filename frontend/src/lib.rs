//! The browser entry point: hydrates the server-rendered admin into a live app.
// Leptos view types nest deeply in release builds (no type erasure there).
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the generated JS loader once the WebAssembly module is ready.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
