//! Server settings for the PostgreSQL the product runs itself (the embedded cluster; the
//! compose file carries fixed values of the same kind).
//!
//! PostgreSQL's stock configuration is sized for a machine of 2005: 128 MB of shared buffers
//! and 1 GB of WAL between checkpoints. A million contacts take about 600 MB of heap, so
//! with stock settings every segment count re-reads the table from the kernel's page cache
//! (300–800 ms instead of 150–250 ms) and a large import triggers several checkpoints,
//! each followed by full-page writes. The values below follow PostgreSQL's own tuning
//! guidance (a quarter of RAM for shared buffers, half for the planner's cache estimate).
//! They go into `billionmail.conf`, included from `postgresql.conf`, so `ALTER SYSTEM`
//! (`postgresql.auto.conf`, read later) still overrides any of them.

use std::path::Path;

const MB: u64 = 1024 * 1024;

/// The file in the data directory that holds the product's settings, rewritten at every
/// start (the machine's memory may have changed).
pub const SETTINGS_FILE: &str = "billionmail.conf";
const INCLUDE_LINE: &str = "include_if_exists = 'billionmail.conf'";

/// `name = value` pairs for a machine with `total_memory` bytes of RAM.
pub fn server_settings(total_memory: u64) -> Vec<(&'static str, String)> {
    let shared = (total_memory / 4).clamp(128 * MB, 8192 * MB);
    let cache = (total_memory / 2).max(512 * MB);
    let maintenance = (total_memory / 32).clamp(64 * MB, 1024 * MB);
    vec![
        ("shared_buffers", format!("{}MB", shared / MB)),
        ("effective_cache_size", format!("{}MB", cache / MB)),
        ("maintenance_work_mem", format!("{}MB", maintenance / MB)),
        // A million-contact import writes about 2 GB of WAL; with the stock 1 GB it
        // checkpoints mid-import and then logs whole pages again.
        ("max_wal_size", "4GB".to_owned()),
        ("checkpoint_timeout", "15min".to_owned()),
        ("checkpoint_completion_target", "0.9".to_owned()),
    ]
}

/// The machine's RAM from `/proc/meminfo`; `None` where that is not readable.
pub fn total_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_total(&info)
}

fn parse_mem_total(info: &str) -> Option<u64> {
    let line = info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
    let kb: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    kb.checked_mul(1024)
}

/// The settings file's text.
pub fn settings_file(settings: &[(&str, String)]) -> String {
    let mut text = String::from(
        "# Written by BillionMail at every start from the machine's memory (engine/src/db/tuning.rs).\n\
         # Override a value with ALTER SYSTEM, which PostgreSQL reads after this file.\n",
    );
    for (name, value) in settings {
        text.push_str(&format!("{name} = '{value}'\n"));
    }
    text
}

/// Writes the settings file into `data_dir` and makes `postgresql.conf` include it (once).
pub fn write(data_dir: &Path, total_memory: u64) -> std::io::Result<()> {
    std::fs::write(data_dir.join(SETTINGS_FILE), settings_file(&server_settings(total_memory)))?;
    let conf = data_dir.join("postgresql.conf");
    let current = std::fs::read_to_string(&conf)?;
    if !current.lines().any(|l| l.trim() == INCLUDE_LINE) {
        let mut updated = current;
        if !updated.ends_with('\n') {
            updated.push('\n');
        }
        updated.push_str(INCLUDE_LINE);
        updated.push('\n');
        std::fs::write(&conf, updated)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(settings: &'a [(&str, String)], name: &str) -> &'a str {
        settings.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    #[test]
    fn shared_buffers_take_a_quarter_of_memory_within_bounds() {
        let gib = 1024 * MB;
        assert_eq!(value(&server_settings(24 * gib), "shared_buffers"), "6144MB");
        assert_eq!(value(&server_settings(24 * gib), "effective_cache_size"), "12288MB");
        // A tiny machine keeps PostgreSQL's own minimum, a huge one a sane maximum.
        assert_eq!(value(&server_settings(256 * MB), "shared_buffers"), "128MB");
        assert_eq!(value(&server_settings(256 * gib), "shared_buffers"), "8192MB");
        assert_eq!(value(&server_settings(256 * gib), "maintenance_work_mem"), "1024MB");
    }

    #[test]
    fn meminfo_is_read_in_kilobytes() {
        let info = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n";
        assert_eq!(parse_mem_total(info), Some(24_576_000 * 1024));
        assert_eq!(parse_mem_total("MemFree: 1 kB\n"), None);
    }

    #[test]
    fn the_include_is_added_once_and_the_file_rewritten() {
        let dir = std::env::temp_dir().join(format!("bm-tuning-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("postgresql.conf"), "port = 5432").unwrap();
        write(&dir, 8 * 1024 * MB).unwrap();
        write(&dir, 16 * 1024 * MB).unwrap();
        let conf = std::fs::read_to_string(dir.join("postgresql.conf")).unwrap();
        assert_eq!(conf.matches(INCLUDE_LINE).count(), 1, "{conf}");
        let settings = std::fs::read_to_string(dir.join(SETTINGS_FILE)).unwrap();
        assert!(settings.contains("shared_buffers = '4096MB'"), "{settings}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
