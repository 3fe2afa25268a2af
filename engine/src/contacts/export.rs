//! CSV export of a list, a segment, a filter or ticked rows, streamed: rows come from
//! PostgreSQL as a stream and leave in 64 KB pieces, so exporting a million contacts takes
//! the memory of one piece. The columns are the contact's own fields, one column per defined
//! attribute, and the attributes nobody defined as one JSON cell — nothing is lost, and the
//! file imports back with the suggested mapping.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::TryStreamExt;
use model::contacts::Selection;
use sea_query::{Alias, Order, PostgresQueryBuilder, Query, SelectStatement, SimpleExpr};
use sea_query_binder::SqlxBinder;
use serde_json::{Map, Value};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::selection::selection_condition;
use super::{ContactError, Result};

/// Size of the pieces written to the output.
const FLUSH_BYTES: usize = 64 * 1024;
/// The contact's own columns, first in every export.
const FIXED_COLUMNS: [&str; 5] = ["email", "name", "tags", "created_at", "last_activity_at"];
/// The last column: attributes without a definition, as a JSON object.
const OTHER_COLUMN: &str = "other_attributes";

/// Contact exports; the HTTP layer streams the output to the browser.
#[derive(Clone, Debug)]
pub struct Exports {
    pub(crate) pool: PgPool,
}

impl Exports {
    /// Exports over `pool`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Writes the selection as CSV to `out` (header: email, name, tags, created_at,
    /// last_activity_at, each defined attribute key in key order, other_attributes), ordered
    /// by contact id; returns the number of contacts written. The header is written before
    /// the first row is read, so a caller sees at once that the selection was valid.
    pub async fn write_csv<W: AsyncWrite + Unpin + Send>(&self, sel: &Selection, mut out: W) -> Result<u64> {
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT key FROM contact_attribute ORDER BY key").fetch_all(&self.pool).await?;
        let defined: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let condition = selection_condition(&self.pool, sel, Utc::now()).await?;
        let (sql, values) = select_contacts(condition).build_sqlx(PostgresQueryBuilder);
        let mut sheet = Sheet::new();
        sheet.header(&keys)?;
        out.write_all(&sheet.take()?).await?;
        // One transaction: the segment's work_mem setting applies to the streamed query.
        let mut tx = self.pool.begin().await?;
        sqlx::query(super::segment_sql::WORK_MEM).execute(&mut *tx).await?;
        let mut count: u64 = 0;
        {
            let mut rows = sqlx::query_with(&sql, values).fetch(&mut *tx);
            while let Some(row) = rows.try_next().await? {
                sheet.row(&ExportRow::read(&row)?, &keys, &defined)?;
                count += 1;
                if sheet.buffered() >= FLUSH_BYTES {
                    out.write_all(&sheet.take()?).await?;
                }
            }
        }
        tx.commit().await?;
        out.write_all(&sheet.take()?).await?;
        out.flush().await?;
        Ok(count)
    }
}

/// `SELECT c.email, … FROM contact c WHERE <selection> ORDER BY c.id`.
fn select_contacts(condition: SimpleExpr) -> SelectStatement {
    let c = Alias::new("c");
    let columns = ["email", "name", "tags", "created_at", "last_activity_at", "attributes"];
    Query::select()
        .columns(columns.map(|col| (c.clone(), Alias::new(col))))
        .from_as(Alias::new("contact"), c.clone())
        .and_where(condition)
        .order_by((c, Alias::new("id")), Order::Asc)
        .to_owned()
}

/// One contact as read from the stream.
struct ExportRow {
    email: String,
    name: String,
    tags: Vec<String>,
    created_at: DateTime<Utc>,
    last_activity_at: Option<DateTime<Utc>>,
    attributes: Map<String, Value>,
}

impl ExportRow {
    fn read(row: &PgRow) -> Result<Self> {
        let attributes: sqlx::types::Json<Map<String, Value>> = row.try_get("attributes")?;
        Ok(Self {
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            tags: row.try_get("tags")?,
            created_at: row.try_get("created_at")?,
            last_activity_at: row.try_get("last_activity_at")?,
            attributes: attributes.0,
        })
    }
}

/// The CSV being written, handed out in pieces.
struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    fn new() -> Self {
        Self { writer: csv::Writer::from_writer(Vec::with_capacity(FLUSH_BYTES + 16 * 1024)) }
    }

    fn header(&mut self, keys: &[String]) -> Result<()> {
        for column in FIXED_COLUMNS {
            self.writer.write_field(column).map_err(csv_error)?;
        }
        for key in keys {
            self.writer.write_field(key).map_err(csv_error)?;
        }
        self.writer.write_field(OTHER_COLUMN).map_err(csv_error)?;
        self.writer.write_record(None::<&[u8]>).map_err(csv_error)
    }

    fn row(&mut self, row: &ExportRow, keys: &[String], defined: &HashSet<&str>) -> Result<()> {
        let w = &mut self.writer;
        w.write_field(&row.email).map_err(csv_error)?;
        w.write_field(inert(&row.name).as_bytes()).map_err(csv_error)?;
        w.write_field(row.tags.join(", ")).map_err(csv_error)?;
        w.write_field(row.created_at.to_rfc3339_opts(SecondsFormat::Secs, true)).map_err(csv_error)?;
        let last = row.last_activity_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)).unwrap_or_default();
        w.write_field(last).map_err(csv_error)?;
        for key in keys {
            w.write_field(inert(&cell(row.attributes.get(key))).as_bytes()).map_err(csv_error)?;
        }
        let others: Map<String, Value> = row
            .attributes
            .iter()
            .filter(|(k, _)| !defined.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let others = if others.is_empty() { String::new() } else { Value::Object(others).to_string() };
        w.write_field(others).map_err(csv_error)?;
        w.write_record(None::<&[u8]>).map_err(csv_error)
    }

    /// Bytes ready to go (the CSV writer's own small buffer aside).
    fn buffered(&self) -> usize {
        self.writer.get_ref().len()
    }

    /// Everything written so far; the sheet starts a new piece.
    fn take(&mut self) -> Result<Vec<u8>> {
        let full =
            std::mem::replace(&mut self.writer, csv::Writer::from_writer(Vec::with_capacity(FLUSH_BYTES + 16 * 1024)));
        full.into_inner().map_err(|e| ContactError::Io(e.into_error()))
    }
}

/// An attribute value as a cell: text as is, numbers and booleans as JSON writes them,
/// anything else as JSON.
fn cell(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

/// Text a subscriber typed can start with `=`, `+`, `-` or `@`, which spreadsheets run as a
/// formula when the export is opened (CSV injection); such cells get a leading `'`, as
/// OWASP advises. Numbers (`-3`) stay as they are. Addresses are never changed.
pub(crate) fn inert(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    if risky { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

fn csv_error(e: csv::Error) -> ContactError {
    ContactError::Io(e.into())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn formula_looking_text_is_made_inert_but_numbers_are_not() {
        assert_eq!(inert("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(inert("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert("-12.5"), "-12.5");
        assert_eq!(inert("Ann"), "Ann");
    }

    #[test]
    fn attribute_cells_are_plain_text() {
        assert_eq!(cell(None), "");
        assert_eq!(cell(Some(&json!("pro"))), "pro");
        assert_eq!(cell(Some(&json!(4.5))), "4.5");
        assert_eq!(cell(Some(&json!(true))), "true");
        assert_eq!(cell(Some(&json!(["a"]))), "[\"a\"]");
    }

    #[test]
    fn a_row_lists_defined_attributes_then_the_rest_as_json() {
        let mut sheet = Sheet::new();
        let keys = vec!["age".to_owned(), "plan".to_owned()];
        let defined: HashSet<&str> = keys.iter().map(String::as_str).collect();
        sheet.header(&keys).unwrap();
        let attributes = json!({"plan": "pro", "age": 42, "source": "fair"});
        let row = ExportRow {
            email: "a@example.com".into(),
            name: "Lee, Ann".into(),
            tags: vec!["vip".into(), "news".into()],
            created_at: DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc),
            last_activity_at: None,
            attributes: attributes.as_object().cloned().unwrap(),
        };
        sheet.row(&row, &keys, &defined).unwrap();
        let text = String::from_utf8(sheet.take().unwrap()).unwrap();
        assert_eq!(
            text,
            "email,name,tags,created_at,last_activity_at,age,plan,other_attributes\n\
             a@example.com,\"Lee, Ann\",\"vip, news\",2026-01-02T03:04:05Z,,42,pro,\"{\"\"source\"\":\"\"fair\"\"}\"\n"
        );
        assert_eq!(sheet.buffered(), 0);
    }
}
