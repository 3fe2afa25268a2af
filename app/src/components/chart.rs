//! A chart drawn by ECharts in the browser from a `charming::Chart` option.
//!
//! The server renders only a sized box with a grey loading skeleton (ECharts needs a real DOM
//! and the page must not jump when the chart appears). In the browser an Effect draws the
//! chart after mount and again whenever the option changes, disposing the previous ECharts
//! instance of the element first so re-renders never stack instances or leak listeners.
//! `echarts.min.js` is loaded by the page shell with `defer`; until it is there the draw is
//! retried for a few seconds. Dark mode is read when drawing (ECharts' built-in `dark`
//! theme, with a transparent background so the card's own colour shows).

use leptos::prelude::*;

/// A chart of `option`, `height` pixels high and as wide as its container.
#[component]
pub fn Chart(
    /// The element id ECharts draws into; unique on the page.
    id: &'static str,
    /// The chart; a new value redraws it.
    #[prop(into)]
    option: Signal<charming::Chart>,
    /// What the chart shows, for screen readers (the figures are also in the page's tables).
    #[prop(into)]
    label: String,
    #[prop(default = 288)] height: u32,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let drawn = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    browser::draw(id, option, drawn);
    #[cfg(not(feature = "hydrate"))]
    let _ = option;
    view! {
        <div class="relative w-full" style=format!("height: {height}px")>
            <div class="absolute inset-0 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800/60"
                class:hidden=move || drawn.get() aria-hidden="true"></div>
            <div id=id data-testid=testid class="absolute inset-0" role="img" aria-label=label></div>
        </div>
    }
}

/// Whether the page is in dark mode now (the `dark` class the theme toggle sets).
pub fn page_is_dark() -> bool {
    #[cfg(feature = "hydrate")]
    {
        document().document_element().map(|e| e.class_list().contains("dark")).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Drawing with ECharts; only the browser build has it.
#[cfg(feature = "hydrate")]
mod browser {
    use std::time::Duration;

    use charming::WasmRenderer;
    use charming::theme::Theme;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use web_sys::js_sys::{Function, Reflect};

    /// How often, and how many times, a draw waits for `echarts.min.js` to load.
    const RETRY: Duration = Duration::from_millis(100);
    const ATTEMPTS: u32 = 100;

    /// The global `echarts` object, once its script has run.
    fn echarts() -> Option<JsValue> {
        Reflect::get(&web_sys::js_sys::global(), &JsValue::from_str("echarts")).ok().filter(JsValue::is_object)
    }

    /// `echarts.dispose(element)`: frees the instance drawn into `id`, if any (charming
    /// has no call for it).
    fn dispose(echarts: &JsValue, id: &str) {
        let Some(element) = document().get_element_by_id(id) else {
            return;
        };
        if let Ok(f) = Reflect::get(echarts, &JsValue::from_str("dispose"))
            && let Some(f) = f.dyn_ref::<Function>()
        {
            let _ = f.call1(echarts, &element);
        }
    }

    /// Draws `option` into `id` now and on every change; disposes it when the view goes.
    pub(super) fn draw(id: &'static str, option: Signal<charming::Chart>, drawn: RwSignal<bool>) {
        // Bumped by every change, so a retry waiting for the script never draws stale data.
        let generation = StoredValue::new(0u64);
        Effect::new(move |_| {
            let chart = option.get();
            let mine = generation.try_update_value(|g| {
                *g += 1;
                *g
            });
            if let Some(mine) = mine {
                render(id, chart, drawn, generation, mine, 0);
            }
        });
        on_cleanup(move || {
            if let Some(e) = echarts() {
                dispose(&e, id);
            }
        });
    }

    fn render(
        id: &'static str,
        chart: charming::Chart,
        drawn: RwSignal<bool>,
        generation: StoredValue<u64>,
        mine: u64,
        attempt: u32,
    ) {
        if generation.try_get_value() != Some(mine) {
            return;
        }
        match echarts() {
            Some(e) if document().get_element_by_id(id).is_some() => {
                dispose(&e, id);
                let theme = if super::page_is_dark() { Theme::Dark } else { Theme::Default };
                match WasmRenderer::new_opt(None, None).theme(theme).render(id, &chart) {
                    Ok(_) => {
                        let _ = drawn.try_set(true);
                    }
                    Err(err) => leptos::logging::warn!("chart {id}: {err}"),
                }
            }
            _ if attempt < ATTEMPTS => {
                set_timeout(move || render(id, chart, drawn, generation, mine, attempt + 1), RETRY);
            }
            _ => leptos::logging::warn!("chart {id}: echarts.min.js did not load"),
        }
    }
}
