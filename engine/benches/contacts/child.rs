//! The measured phases that report peak memory run in a child process of this same binary,
//! so VmHWM is theirs alone (not the generator's or the top-up's).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Instant;

use bytes::Bytes;
use engine::contacts::Audience;
use engine::db::{Database, DatabaseMode};
use futures::Stream;
use model::contacts::{AttributeKind, ColumnTarget, ContactQuery, ImportSettings, ImportState, ListStatus, Selection};

use super::setup::vm_hwm_kb;

/// Argument that turns this binary into the import child: `<url> <file> <list id> <dir>`.
pub const IMPORT_FLAG: &str = "--import-only";
/// Argument that turns this binary into the export child: `<url> <out file>`.
pub const EXPORT_FLAG: &str = "--export-only";
const UPLOAD_PIECE: usize = 1024 * 1024;

/// What the import child measured.
#[derive(Debug, Default)]
pub struct ImportFigures {
    pub upload_s: f64,
    pub run_s: f64,
    pub hwm_kb: u64,
    pub hwm_before_kb: u64,
    pub rows_read: i64,
    pub invalid: i64,
    pub new: i64,
    pub updated: i64,
}

impl ImportFigures {
    pub fn hwm_mb(&self) -> f64 {
        self.hwm_kb as f64 / 1024.0
    }
}

/// What the export child measured.
#[derive(Debug, Default)]
pub struct ExportFigures {
    pub seconds: f64,
    pub rows: u64,
    pub bytes: u64,
    pub hwm_kb: u64,
}

/// The mapping of the generated file.
fn settings(list_id: i64) -> ImportSettings {
    let attr = |key: &str, kind| ColumnTarget::Attribute { key: key.to_owned(), kind };
    ImportSettings {
        columns: vec![
            ColumnTarget::Email,
            ColumnTarget::Name,
            attr("plan", AttributeKind::Text),
            attr("country", AttributeKind::Text),
            attr("age", AttributeKind::Number),
            attr("signup_date", AttributeKind::Date),
            attr("vip", AttributeKind::Boolean),
            attr("score", AttributeKind::Number),
            attr("city", AttributeKind::Text),
            ColumnTarget::Tags,
        ],
        list_ids: vec![list_id],
        status: ListStatus::Subscribed,
        overwrite: false,
        tags: vec!["bench-import".to_owned()],
    }
}

/// The file as an upload body, read in 1 MB pieces.
fn file_body(path: &Path) -> Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>> {
    let file = std::fs::File::open(path).expect("open the generated file");
    Box::pin(futures::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut piece = vec![0u8; UPLOAD_PIECE];
        match file.read(&mut piece) {
            Ok(0) => None,
            Ok(n) => {
                piece.truncate(n);
                Some((Ok(Bytes::from(piece)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    }))
}

/// Child: upload, start and run the import; prints one `IMPORT-RESULT` line.
pub async fn import_only(args: &[String]) {
    let [url, file, list, dir] = args else { panic!("usage: {IMPORT_FLAG} <url> <file> <list id> <dir>") };
    // The import logs the time of each phase; shown on the benchmark's stderr.
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).with_ansi(false).init();
    let db = Database::connect(url, DatabaseMode::External, 4).await.expect("connect");
    let audience = Audience::new(db.pool.clone(), PathBuf::from(dir).join("imports"));
    let hwm_before_kb = vm_hwm_kb();
    let start = Instant::now();
    let preview = audience.imports.upload("bench.csv", file_body(Path::new(file)), "bench").await.expect("upload");
    let upload_s = start.elapsed().as_secs_f64();
    let settings = settings(list.parse().expect("list id"));
    audience.imports.start(preview.import_id, &settings).await.expect("start");
    let start = Instant::now();
    let job = audience.imports.run(preview.import_id).await.expect("run");
    let run_s = start.elapsed().as_secs_f64();
    assert_eq!(job.state, ImportState::Finished, "the import did not finish: {:?}", job.error);
    println!(
        "IMPORT-RESULT upload_s={upload_s} run_s={run_s} hwm_kb={} hwm_before_kb={hwm_before_kb} rows_read={} \
         invalid={} new={} updated={}",
        vm_hwm_kb(),
        job.rows_read,
        job.rows_invalid,
        job.contacts_new,
        job.contacts_updated
    );
}

/// Child: export every contact to a file; prints one `EXPORT-RESULT` line.
pub async fn export_only(args: &[String]) {
    let [url, out] = args else { panic!("usage: {EXPORT_FLAG} <url> <out file>") };
    let db = Database::connect(url, DatabaseMode::External, 4).await.expect("connect");
    let audience = Audience::new(db.pool.clone(), std::env::temp_dir());
    let file = tokio::fs::File::create(out).await.expect("create the export file");
    let start = Instant::now();
    let rows = audience.exports.write_csv(&Selection::Query(ContactQuery::default()), file).await.expect("export");
    let seconds = start.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!("EXPORT-RESULT seconds={seconds} rows={rows} bytes={bytes} hwm_kb={}", vm_hwm_kb());
}

/// Runs this binary with `args` and returns the `key=value` pairs of its `<tag>` line.
async fn run_child(args: &[String], tag: &str) -> Vec<(String, String)> {
    let exe = std::env::current_exe().expect("current exe");
    let out = tokio::process::Command::new(exe).args(args).output().await.expect("run the child");
    // The child's log (the import's phase times) goes into the benchmark's output.
    for line in String::from_utf8_lossy(&out.stderr).lines() {
        println!("  {tag} {line}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the {tag} child failed:\n{stdout}");
    let line = stdout.lines().find_map(|l| l.strip_prefix(tag)).unwrap_or_else(|| panic!("no {tag} in:\n{stdout}"));
    line.split_whitespace().filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn value<T: std::str::FromStr + Default>(pairs: &[(String, String)], key: &str) -> T {
    pairs.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.parse().ok()).unwrap_or_default()
}

/// Runs the import child on `file` into list `list_id`.
pub async fn run_import(url: &str, file: &Path, list_id: i64, dir: &Path) -> ImportFigures {
    let args = [
        IMPORT_FLAG.to_owned(),
        url.to_owned(),
        file.display().to_string(),
        list_id.to_string(),
        dir.display().to_string(),
    ];
    let pairs = run_child(&args, "IMPORT-RESULT").await;
    ImportFigures {
        upload_s: value(&pairs, "upload_s"),
        run_s: value(&pairs, "run_s"),
        hwm_kb: value(&pairs, "hwm_kb"),
        hwm_before_kb: value(&pairs, "hwm_before_kb"),
        rows_read: value(&pairs, "rows_read"),
        invalid: value(&pairs, "invalid"),
        new: value(&pairs, "new"),
        updated: value(&pairs, "updated"),
    }
}

/// Runs the export child into `<dir>/export.csv` (removed afterwards).
pub async fn run_export(url: &str, dir: &Path) -> ExportFigures {
    let out = dir.join("export.csv");
    let args = [EXPORT_FLAG.to_owned(), url.to_owned(), out.display().to_string()];
    let pairs = run_child(&args, "EXPORT-RESULT").await;
    std::fs::remove_file(&out).ok();
    ExportFigures {
        seconds: value(&pairs, "seconds"),
        rows: value(&pairs, "rows"),
        bytes: value(&pairs, "bytes"),
        hwm_kb: value(&pairs, "hwm_kb"),
    }
}
