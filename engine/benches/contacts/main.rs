//! Contacts at scale, measured in one run against a real PostgreSQL:
//!
//! 1. a deterministic CSV of `BENCH_ROWS` (default 1,000,000) rows × 10 columns, exactly 5 %
//!    of them invalid in several ways, plus a second file holding only the valid rows;
//! 2. the ceiling: `psql \copy` of the valid rows into a bare table of 10 text columns, and
//!    the schema's floor: those rows by plain SQL into copies of the contact and membership
//!    tables with all their indexes (see `ceiling.rs`);
//! 3. our import of the full file (upload + start + run through `Imports`), in a child
//!    process of this binary so its peak RSS (VmHWM) is the import's alone;
//! 4. a top-up to exactly `BENCH_ROWS` contacts and 5 × `BENCH_ROWS` list memberships over
//!    10 lists (skewed sizes), tags, attributes, 20 campaigns and ~1 event per contact;
//! 5. three representative segment counts (3 warm-up runs, 30 timed runs: p50/p95);
//! 6. the export of every contact to a CSV file, in a child process (wall time, rows/s, RSS).
//!
//! Run: `cargo bench -p engine --bench contacts` (`BENCH_ROWS=20000` for a smoke run;
//! `BENCH_DATABASE_URL` names a server where the user may CREATE DATABASE, default the
//! product's own embedded PostgreSQL started for the run; files go to `BENCH_DIR`, default a
//! temp folder). Prints a table and `FIGURE <name> <value>` lines.

mod ceiling;
mod child;
mod generate;
mod report;
mod segments;
mod setup;
mod topup;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    if let Some(i) = args.iter().position(|a| a == child::IMPORT_FLAG) {
        runtime.block_on(child::import_only(&args[i + 1..]));
    } else if let Some(i) = args.iter().position(|a| a == child::EXPORT_FLAG) {
        runtime.block_on(child::export_only(&args[i + 1..]));
    } else {
        runtime.block_on(run());
    }
}

/// The whole benchmark, phase by phase.
async fn run() {
    let rows = setup::bench_rows();
    let dir = setup::work_dir();
    println!("contacts benchmark: {rows} rows, files in {}", dir.display());
    let db = setup::fresh_database(&dir).await;
    println!("database {} created and migrated on {}", setup::DATABASE, db.server);

    let files = generate::write_files(&dir, rows);
    println!(
        "generated {} ({:.1} MB, {} rows, {} invalid) and {} in {:.1} s (before any measurement)",
        files.import.display(),
        files.import_bytes as f64 / 1e6,
        files.rows,
        files.invalid,
        files.valid.display(),
        files.seconds
    );
    let lists = topup::create_lists(&db.pool, 0, 2).await;

    let ceiling = ceiling::measure(&db.pool, &db.url, &files.valid, lists[1]).await;
    println!(
        "psql \\copy of {} valid rows: {:.2} s; the schema's floor: {:.2} s",
        files.rows - files.invalid,
        ceiling.copy_s,
        ceiling.floor_s
    );
    let import = child::run_import(&db.url, &files.import, lists[0], &dir).await;
    println!("import: upload {:.2} s, run {:.2} s, peak RSS {:.1} MB", import.upload_s, import.run_s, import.hwm_mb());

    let topped = topup::fill(&db.pool, rows, &lists).await;
    println!(
        "top-up: {} contacts, {} memberships, {} events in {:.1} s",
        topped.contacts, topped.memberships, topped.events, topped.seconds
    );
    let timings = segments::measure(&db.pool, &topped.lists).await;
    let export = child::run_export(&db.url, &dir).await;

    report::print(&report::Figures {
        server: &db.server,
        rows,
        files: &files,
        ceiling: &ceiling,
        import: &import,
        topped: &topped,
        timings: &timings,
        export: &export,
    });
    generate::remove(&files);
    db.finish().await;
}
