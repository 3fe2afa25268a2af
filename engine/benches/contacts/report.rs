//! The result table and the `FIGURE` lines the README quotes.

use super::ceiling::Ceiling;
use super::child::{ExportFigures, ImportFigures};
use super::generate::Files;
use super::segments::SegmentTiming;
use super::topup::Topped;

/// Everything measured in one run.
pub struct Figures<'a> {
    pub server: &'a str,
    pub rows: u64,
    pub files: &'a Files,
    pub ceiling: &'a Ceiling,
    pub import: &'a ImportFigures,
    pub topped: &'a Topped,
    pub timings: &'a [SegmentTiming],
    pub export: &'a ExportFigures,
}

/// Prints the table, then one `FIGURE <name> <value>` line per figure.
pub fn print(f: &Figures<'_>) {
    let ratio = if f.ceiling.copy_s > 0.0 { f.import.run_s / f.ceiling.copy_s } else { 0.0 };
    let floor_ratio = if f.ceiling.floor_s > 0.0 { f.import.run_s / f.ceiling.floor_s } else { 0.0 };
    let export_rate = if f.export.seconds > 0.0 { f.export.rows as f64 / f.export.seconds } else { 0.0 };
    let valid = f.files.rows - f.files.invalid;
    println!();
    println!("measured on {}", f.server);
    row("measure", "value".to_owned());
    println!("{}", "-".repeat(75));
    row(
        &format!("file: {} rows x 10 columns, {} invalid", f.rows, f.files.invalid),
        format!("{:.1} MB", mb(f.files.import_bytes)),
    );
    row(&format!("ceiling: psql \\copy of the {valid} valid rows (bare table)"), format!("{:.2} s", f.ceiling.copy_s));
    row("floor: the same rows by SQL into contact + membership copies", format!("{:.2} s", f.ceiling.floor_s));
    row("import: upload (stream to disk)", format!("{:.2} s", f.import.upload_s));
    row(
        &format!(
            "import: run ({} read, {} refused, {} new, {} updated)",
            f.import.rows_read, f.import.invalid, f.import.new, f.import.updated
        ),
        format!("{:.2} s", f.import.run_s),
    );
    row("import: ratio run / psql \\copy", format!("{ratio:.2}x"));
    row("import: ratio run / schema floor", format!("{floor_ratio:.2}x"));
    row("import: peak RSS of the import process (VmHWM)", format!("{:.1} MB", f.import.hwm_mb()));
    row(
        "import: VmHWM before the upload (runtime + pool)",
        format!("{:.1} MB", f.import.hwm_before_kb as f64 / 1024.0),
    );
    row(
        &format!(
            "top-up: {} contacts, {} memberships, {} events",
            f.topped.contacts, f.topped.memberships, f.topped.events
        ),
        format!("{:.1} s", f.topped.seconds),
    );
    for t in f.timings {
        row(&format!("segment {} ({} match): p50", t.name, t.matching), format!("{:.1} ms", t.p50_ms));
        row(&format!("segment {}: p95", t.name), format!("{:.1} ms", t.p95_ms));
    }
    row(
        &format!("export: {} contacts to CSV ({:.1} MB)", f.export.rows, mb(f.export.bytes)),
        format!("{:.2} s", f.export.seconds),
    );
    row("export: rows per second", format!("{export_rate:.0}"));
    row("export: peak RSS of the export process (VmHWM)", format!("{:.1} MB", f.export.hwm_kb as f64 / 1024.0));
    println!();
    for t in f.timings {
        println!("segment {}: {}", t.name, t.description);
    }
    println!(
        "note: imported contacts are all created 'now', so \"created within 365 days\" keeps every imported row; \
         the top-up contacts spread over three years."
    );
    println!();
    figure("bench_rows", f.rows as f64);
    figure("import_1m_s", f.import.run_s);
    figure("import_upload_s", f.import.upload_s);
    figure("import_peak_rss_mb", f.import.hwm_mb());
    figure("psql_copy_s", f.ceiling.copy_s);
    figure("schema_floor_s", f.ceiling.floor_s);
    figure("import_vs_copy_ratio", ratio);
    figure("import_vs_floor_ratio", floor_ratio);
    for t in f.timings {
        figure(&format!("segment_{}_p50_ms", t.name), t.p50_ms);
        figure(&format!("segment_{}_p95_ms", t.name), t.p95_ms);
    }
    figure("export_1m_s", f.export.seconds);
    figure("export_rows_per_s", export_rate);
    figure("export_peak_rss_mb", f.export.hwm_kb as f64 / 1024.0);
}

fn row(label: &str, value: String) {
    println!("{label:<58} {value:>16}");
}

fn figure(name: &str, value: f64) {
    println!("FIGURE {name} {value:.3}");
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
