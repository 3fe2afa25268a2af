//! Named custom attributes: the type the UI edits a key as, and the choices of list keys.

use model::contacts::{AttributeDefinition, AttributeKind, is_attribute_key};
use sqlx::PgPool;

use super::{ContactError, Result};

/// The `contact_attribute` table.
#[derive(Clone, Debug)]
pub struct Attributes {
    pool: PgPool,
}

impl Attributes {
    /// Shares the pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every definition, by key.
    pub async fn list(&self) -> Result<Vec<AttributeDefinition>> {
        load(&self.pool).await
    }

    /// Creates or changes a definition. Stored values are not converted: a value that does not
    /// fit the new type is shown as text until it is edited.
    pub async fn save(&self, def: &AttributeDefinition) -> Result<()> {
        if !is_attribute_key(&def.key) {
            return Err(ContactError::InvalidAttributeKey(def.key.clone()));
        }
        let options: Vec<String> = def.options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect();
        if def.kind == AttributeKind::List && options.is_empty() {
            return Err(ContactError::InvalidAttributeValue {
                key: def.key.clone(),
                problem: "a list attribute needs at least one choice".into(),
            });
        }
        sqlx::query(
            "INSERT INTO contact_attribute (key, label, kind, options) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET label = EXCLUDED.label, kind = EXCLUDED.kind, options = EXCLUDED.options",
        )
        .bind(&def.key)
        .bind(def.label.trim())
        .bind(def.kind.as_str())
        .bind(&options)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets a definition; the values stay on contacts (shown as text).
    pub async fn delete(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM contact_attribute WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }
}

/// The definitions, for callers holding only a pool (import, export, contact form checks).
pub async fn load(pool: &PgPool) -> Result<Vec<AttributeDefinition>> {
    let rows: Vec<(String, String, String, Vec<String>)> =
        sqlx::query_as("SELECT key, label, kind, options FROM contact_attribute ORDER BY key").fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(key, label, kind, options)| AttributeDefinition {
            key,
            label,
            kind: AttributeKind::parse(&kind).unwrap_or(AttributeKind::Text),
            options,
        })
        .collect())
}

/// Checks a contact's attributes against the definitions: keys must be attribute names and
/// defined keys must hold a value of their type (the form sends typed JSON).
pub fn check_values(values: &serde_json::Map<String, serde_json::Value>, defs: &[AttributeDefinition]) -> Result<()> {
    use serde_json::Value as V;
    for (key, value) in values {
        if !is_attribute_key(key) {
            return Err(ContactError::InvalidAttributeKey(key.clone()));
        }
        let Some(def) = defs.iter().find(|d| &d.key == key) else { continue };
        let ok = match (def.kind, value) {
            (_, V::Null) => true,
            (AttributeKind::Text, V::String(_)) | (AttributeKind::Number, V::Number(_)) => true,
            (AttributeKind::Boolean, V::Bool(_)) => true,
            (AttributeKind::Date, V::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            (AttributeKind::List, V::String(s)) => def.options.is_empty() || def.options.contains(s),
            _ => false,
        };
        if !ok {
            return Err(ContactError::InvalidAttributeValue {
                key: key.clone(),
                problem: format!("{value} is not a valid {}", def.kind.as_str()),
            });
        }
    }
    Ok(())
}
