//! The benchmark's input, generated deterministically (seeded `StdRng`): a contacts CSV of
//! 10 columns where exactly one row in 20 is invalid (bad addresses, numbers, dates,
//! booleans, field counts), and a second file with only the valid rows for `psql \copy`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The header of both files.
pub const HEADER: [&str; 10] =
    ["email", "name", "plan", "country", "age", "signup_date", "vip", "score", "city", "tags"];
const SEED: u64 = 0x00C0_FFEE_2026;
const FIRST: [&str; 20] = [
    "Ann", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo", "Kemal", "Lea", "Mateo", "Nina", "Omar",
    "Priya", "Quinn", "Rosa", "Sven", "Yuki",
];
const LAST: [&str; 20] = [
    "Lee", "Smith", "Garcia", "Müller", "Rossi", "Dubois", "Kowalski", "Silva", "Tanaka", "Nguyen", "Okafor", "Haddad",
    "Larsen", "Novak", "Ivanova", "Costa", "Brown", "Singh", "Kim", "Jansen",
];
const CITIES: [&str; 16] = [
    "Paris",
    "Berlin",
    "Madrid",
    "Rome",
    "Lisbon",
    "Oslo",
    "Warsaw",
    "Tokyo",
    "Lagos",
    "Austin",
    "Toronto",
    "Sydney",
    "Mumbai",
    "São Paulo",
    "Cairo",
    "Seoul",
];
const COUNTRIES: [&str; 14] = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "BR", "IN", "JP", "CA", "AU"];
/// Address domains with their weight in percent (the rest are spread over company domains).
const DOMAINS: [(&str, u32); 5] =
    [("gmail.com", 30), ("yahoo.com", 12), ("outlook.com", 10), ("hotmail.com", 8), ("icloud.com", 5)];

/// What was generated.
pub struct Files {
    pub import: PathBuf,
    pub valid: PathBuf,
    pub rows: u64,
    pub invalid: u64,
    pub import_bytes: u64,
    pub seconds: f64,
}

/// Writes `contacts.csv` (all rows) and `valid.csv` (valid rows only) into `dir`.
pub fn write_files(dir: &Path, rows: u64) -> Files {
    let start = Instant::now();
    let import = dir.join("contacts.csv");
    let valid = dir.join("valid.csv");
    let mut all = csv::WriterBuilder::new().flexible(true).from_path(&import).expect("create contacts.csv");
    let mut good = csv::WriterBuilder::new().from_path(&valid).expect("create valid.csv");
    all.write_record(HEADER).expect("write");
    good.write_record(HEADER).expect("write");
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut invalid = 0;
    for i in 0..rows {
        let mut record = valid_row(&mut rng, i);
        if i % 20 == 13 {
            spoil(&mut record, i);
            invalid += 1;
            all.write_record(&record).expect("write");
        } else {
            all.write_record(&record).expect("write");
            good.write_record(&record).expect("write");
        }
    }
    all.flush().expect("flush");
    good.flush().expect("flush");
    let import_bytes = std::fs::metadata(&import).map(|m| m.len()).unwrap_or(0);
    Files { import, valid, rows, invalid, import_bytes, seconds: start.elapsed().as_secs_f64() }
}

/// A plausible contact; the address is unique (it contains the row number).
fn valid_row(rng: &mut StdRng, i: u64) -> Vec<String> {
    let first = FIRST[rng.gen_range(0..FIRST.len())];
    let last = LAST[rng.gen_range(0..LAST.len())];
    let local_last: String = last.chars().filter(char::is_ascii_alphabetic).collect();
    let email = format!("{}.{}{i}@{}", first.to_ascii_lowercase(), local_last.to_ascii_lowercase(), domain(rng));
    let plan = match rng.gen_range(0..100) {
        0..60 => "free",
        60..90 => "pro",
        _ => "team",
    };
    let signup = NaiveDate::from_ymd_opt(2015, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(rng.gen_range(0..4000))))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let vip = rng.gen_bool(0.1);
    let mut tags: Vec<&str> = Vec::new();
    if vip {
        tags.push("vip");
    }
    if rng.gen_bool(0.5) {
        tags.push("newsletter");
    }
    if rng.gen_bool(0.1) {
        tags.push("beta");
    }
    vec![
        email,
        format!("{first} {last}"),
        plan.to_owned(),
        COUNTRIES[rng.gen_range(0..COUNTRIES.len())].to_owned(),
        rng.gen_range(18..=90).to_string(),
        signup,
        if vip { "yes".to_owned() } else { "no".to_owned() },
        format!("{:.1}", rng.gen_range(0.0..100.0)),
        CITIES[rng.gen_range(0..CITIES.len())].to_owned(),
        tags.join(","),
    ]
}

fn domain(rng: &mut StdRng) -> String {
    let mut pick = rng.gen_range(0..100);
    for (name, weight) in DOMAINS {
        if pick < weight {
            return name.to_owned();
        }
        pick -= weight;
    }
    format!("mail{}.example.net", rng.gen_range(0..500))
}

/// Makes row `i` invalid, one of seven ways in turn.
fn spoil(record: &mut Vec<String>, i: u64) {
    match (i / 20) % 7 {
        0 => record[0] = record[0].replace('@', "."),
        1 => record[0] = record[0].replacen('.', "..", 1),
        2 => record[4] = "abc".to_owned(),
        3 => record[5] = "2024-13-45".to_owned(),
        4 => record[6] = "maybe".to_owned(),
        5 => record[7] = "1,5".to_owned(),
        _ => {
            record.pop();
        }
    }
}

/// Removes the generated files (they are large).
pub fn remove(files: &Files) {
    for path in [&files.import, &files.valid] {
        std::fs::remove_file(path).ok();
    }
}
