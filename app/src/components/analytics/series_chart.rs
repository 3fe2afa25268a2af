//! The activity line chart: sent, delivered, human opens and clicks per bucket, machine opens
//! dashed (shown, but apart from the people).

use charming::component::{Axis, Grid, Legend};
use charming::element::{AxisLabel, AxisType, LineStyle, LineStyleType, SplitLine, TextStyle, Tooltip, Trigger};
use charming::series::Line;
use leptos::prelude::*;
use model::analytics::{Granularity, SeriesPoint, Totals};

use crate::components::chart::Chart;

/// Axis and legend text: readable on the light and the dark card alike.
const MUTED: &str = "#94a3b8";
/// Grid lines, faint in both themes.
const GRID: &str = "rgba(148, 163, 184, 0.2)";

/// The chart option for `series` (one point per bucket, labelled for `granularity`).
pub fn series_option(series: &[SeriesPoint], granularity: Granularity) -> charming::Chart {
    let labels: Vec<String> = series.iter().map(|p| granularity.label(p.at)).collect();
    let pick = |f: fn(&Totals) -> i64| series.iter().map(|p| f(&p.totals)).collect::<Vec<i64>>();
    let line = |name: &str, data: Vec<i64>| Line::new().name(name).data(data).show_symbol(false);
    // No entry animation: a live dashboard redraws every few seconds, and a half-drawn line
    // reads as a drop to zero.
    charming::Chart::new()
        .animation(false)
        .background_color("transparent")
        .color(vec!["#6366f1", "#10b981", "#f59e0b", "#0ea5e9", "#a855f7"])
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .legend(Legend::new().bottom(0.0).text_style(TextStyle::new().color(MUTED)))
        .grid(Grid::new().left(8.0).right(16.0).top(16.0).bottom(40.0).contain_label(true))
        .x_axis(Axis::new().type_(AxisType::Category).data(labels).axis_label(AxisLabel::new().color(MUTED)))
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .min_interval(1.0)
                .axis_label(AxisLabel::new().color(MUTED))
                .split_line(SplitLine::new().line_style(LineStyle::new().color(GRID))),
        )
        .series(line("Sent", pick(|t| t.submitted)))
        .series(line("Delivered", pick(|t| t.delivered)))
        .series(line("Opens (human)", pick(|t| t.opens_human)))
        .series(line("Clicks (human)", pick(|t| t.clicks_human)))
        .series(
            line("Opens (machine)", pick(|t| t.opens_machine))
                .line_style(LineStyle::new().type_(LineStyleType::Dashed)),
        )
}

/// The chart in its card, redrawn when `series` changes.
#[component]
pub fn SeriesChart(
    /// Element id of the chart (unique on the page).
    id: &'static str,
    #[prop(into)] series: Signal<Vec<SeriesPoint>>,
    #[prop(into)] granularity: Signal<Granularity>,
) -> impl IntoView {
    let option = Signal::derive(move || series.with(|s| series_option(s, granularity.get())));
    let unit = move || match granularity.get() {
        Granularity::Hour => "per hour",
        Granularity::Day => "per day",
        Granularity::Month => "per month",
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 class="text-sm font-semibold">"Activity over time"</h3>
                <span class="text-xs text-slate-500 dark:text-slate-400">{unit}" · UTC"</span>
            </div>
            <div class="mt-3">
                <Chart id=id option=option testid="analytics-series-chart"
                    label="Messages sent and delivered, human opens and clicks, and machine opens over the chosen period" />
            </div>
        </section>
    }
}
