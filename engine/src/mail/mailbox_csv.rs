//! Mailbox CSV import and export, for moving a team in or out in one file.
//!
//! Import columns are found by header name (any order, case-insensitive): `address`
//! (required), `password`, `name` or `display_name`, `quota` (`2 GB`, bytes, or `0` for no
//! limit), `active` (yes/no, true/false, 1/0). A known address is updated, a new one created
//! — with a generated password when the row has none, returned once in the report. Every
//! row is its own transaction: good rows are kept when others are bad, and each bad row is
//! reported with its line number.

use model::mail::{CreatedMailbox, ImportReport, ImportRowError, MailboxFilter, parse_size};

use super::MailError;
use super::mailboxes::{Mailboxes, NewMailbox, check_display_name, insert, update_row};
use super::names::normalize_address;
use super::password::{generate_password, hash_mailbox_password};

/// Largest import accepted in one request.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// Header of the export (also accepted by the import).
pub const EXPORT_HEADER: &[&str] =
    &["address", "display_name", "quota_bytes", "used_bytes", "messages", "active", "created_at"];

struct Columns {
    address: usize,
    password: Option<usize>,
    name: Option<usize>,
    quota: Option<usize>,
    active: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, MailError> {
        let find = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
        Ok(Self {
            address: find(&["address", "email", "mailbox"])
                .ok_or(MailError::Csv { line: 1, reason: "the header needs an `address` column".into() })?,
            password: find(&["password"]),
            name: find(&["name", "display_name", "display name"]),
            quota: find(&["quota", "quota_bytes"]),
            active: find(&["active", "enabled"]),
        })
    }
}

fn parse_active(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "yes" | "y" | "true" | "1" | "active" => Ok(true),
        "no" | "n" | "false" | "0" | "disabled" => Ok(false),
        other => Err(format!("active must be yes or no, not {other:?}")),
    }
}

impl Mailboxes {
    /// Imports `csv_text` (comma, semicolon or tab separated, detected from the header).
    pub async fn import_csv(&self, csv_text: &str) -> Result<ImportReport, MailError> {
        let first_line = csv_text.lines().next().unwrap_or_default();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(csv_text.as_bytes());
        // Refuse an oversized file before anything is written (a partial import would lose the
        // generated passwords of the rows already created).
        let rows = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(csv_text.as_bytes())
            .records()
            .count();
        if rows > MAX_IMPORT_ROWS {
            return Err(MailError::Limit(format!(
                "the file has {rows} rows; at most {MAX_IMPORT_ROWS} per import, so split it"
            )));
        }
        let header = reader.headers().map_err(|e| MailError::Csv { line: 1, reason: e.to_string() })?.clone();
        let columns = Columns::from_header(&header)?;
        let mut report = ImportReport::default();
        for (index, record) in reader.records().enumerate() {
            let line = record.as_ref().ok().and_then(|r| r.position()).map_or(index as u64 + 2, |p| p.line());
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    report.errors.push(ImportRowError { line, address: String::new(), reason: e.to_string() });
                    continue;
                }
            };
            let raw_address = record.get(columns.address).unwrap_or_default().to_owned();
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            match self.import_row(&columns, &record).await {
                Ok(Some(created)) => report.created.push(created),
                Ok(None) => report.updated += 1,
                Err(e) => report.errors.push(ImportRowError { line, address: raw_address, reason: e.to_string() }),
            }
        }
        Ok(report)
    }

    /// Creates or updates one row; `Some` carries a generated password for a new mailbox.
    async fn import_row(
        &self,
        columns: &Columns,
        record: &csv::StringRecord,
    ) -> Result<Option<CreatedMailbox>, MailError> {
        let field = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or_default();
        // A column that is absent, or a cell left empty, keeps what a known mailbox has.
        let given = |i: Option<usize>| Some(field(i)).filter(|v| !v.is_empty());
        let address = normalize_address(field(Some(columns.address)))?;
        let display_name = given(columns.name).map(check_display_name).transpose()?;
        let quota = match given(columns.quota) {
            None => None,
            Some(q) => {
                Some(parse_size(q).ok_or_else(|| MailError::Limit(format!("quota {q:?} is not a size like 2 GB")))?)
            }
        };
        let active = given(columns.active).map(parse_active).transpose().map_err(MailError::Limit)?;
        let given_password = Some(field(columns.password)).filter(|p| !p.is_empty());
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mailbox WHERE address = $1)")
            .bind(&address)
            .fetch_one(self.pool())
            .await?;
        if exists {
            let hash = match given_password {
                Some(p) => Some(hash_mailbox_password(p, &address).await?),
                None => None,
            };
            let mut tx = self.pool().begin().await?;
            update_row(&mut tx, &address, display_name.as_deref(), quota, active, hash.as_deref()).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let generated = given_password.is_none().then(generate_password);
        let password = given_password.map(str::to_owned).or_else(|| generated.clone()).unwrap_or_default();
        let password_hash = hash_mailbox_password(&password, &address).await?;
        let mut tx = self.pool().begin().await?;
        insert(
            &mut tx,
            NewMailbox {
                address: address.clone(),
                display_name: display_name.unwrap_or_default(),
                quota_bytes: quota,
                active: active.unwrap_or(true),
                password_hash,
            },
        )
        .await?;
        tx.commit().await?;
        // A password the admin supplied is not echoed back; a generated one must be.
        Ok(Some(CreatedMailbox { address, password: generated.unwrap_or_default() }))
    }

    /// Every mailbox matching `filter` as CSV (no password hashes, ever).
    pub async fn export_csv(&self, filter: &MailboxFilter) -> Result<String, MailError> {
        let rows = self.all(filter).await?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let csv_error = |e: csv::Error| MailError::Limit(format!("CSV export failed: {e}"));
        writer.write_record(EXPORT_HEADER).map_err(csv_error)?;
        for m in rows {
            writer
                .write_record([
                    m.address,
                    m.display_name,
                    m.quota_bytes.to_string(),
                    m.used_bytes.to_string(),
                    m.messages.to_string(),
                    if m.active { "yes".into() } else { "no".into() },
                    m.created_at.to_rfc3339(),
                ])
                .map_err(csv_error)?;
        }
        let bytes = writer.into_inner().map_err(|e| MailError::Limit(format!("CSV export failed: {e}")))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_active;

    #[test]
    fn active_column_accepts_common_spellings() {
        assert_eq!(parse_active("Yes"), Ok(true));
        assert_eq!(parse_active(""), Ok(true));
        assert_eq!(parse_active("0"), Ok(false));
        assert!(parse_active("maybe").is_err());
    }
}
