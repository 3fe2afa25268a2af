//! The certificate table: one row per host name, issued by ACME or uploaded by the admin,
//! with the bookkeeping the TLS page shows (validity, last error, last attempt) and the
//! renewal scheduler reads. Mail hosts' certificates are also written as PEM files for
//! Postfix and Dovecot, followed by a reload command. The database is the source of truth;
//! the files are rewritten from it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use model::deliverability::{CertificateStatus, CustomCertificate, RENEW_BEFORE_DAYS};
use sqlx::PgPool;

use super::pem::{ParsedChain, check_key_matches, covers, parse_chain};
use crate::deliverability::DeliverabilityError;
use crate::key_files::write_atomically;
use crate::mail::names::normalize_domain;

/// A failed ACME attempt is not retried for this long, so a broken DNS record or firewall
/// does not make the scheduler hammer the CA (Let's Encrypt limits failed validations).
pub const RETRY_BACKOFF: TimeDelta = TimeDelta::hours(1);

/// A reload command that hangs is killed after this long; the files are in place anyway.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// Purpose of the web/admin host: served in-process (TLS-ALPN-01), not exported.
pub const PURPOSE_ADMIN: &str = "admin";
/// Purpose of the mail host: issued over HTTP-01 and exported for Postfix and Dovecot.
pub const PURPOSE_MAIL: &str = "mail";

const COLUMNS: &str =
    "host, purpose, source, status, issuer, not_before, not_after, last_error, last_attempt, issued_at";

/// Certificates per host, over one pool, plus where mail certificates are exported and how
/// the mail daemons are told to pick them up.
#[derive(Clone, Debug)]
pub struct Certificates {
    pool: PgPool,
    export_dir: PathBuf,
    reload_command: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    host: String,
    purpose: String,
    source: String,
    status: String,
    issuer: Option<String>,
    not_before: Option<DateTime<Utc>>,
    not_after: Option<DateTime<Utc>>,
    last_error: Option<String>,
    last_attempt: Option<DateTime<Utc>>,
    issued_at: Option<DateTime<Utc>>,
}

impl From<StatusRow> for CertificateStatus {
    fn from(r: StatusRow) -> Self {
        CertificateStatus {
            host: r.host,
            purpose: r.purpose,
            source: r.source,
            status: r.status,
            issuer: r.issuer,
            not_before: r.not_before,
            not_after: r.not_after,
            last_error: r.last_error,
            last_attempt: r.last_attempt,
            issued_at: r.issued_at,
        }
    }
}

impl Certificates {
    /// `export_dir` is shared with the mail containers (`<export_dir>/<host>/fullchain.pem`
    /// and `privkey.pem`); `reload_command` runs through `sh -c` after each export, with
    /// `BM_TLS_HOST` set, e.g. `postfix reload; doveadm reload`. An empty command is none.
    pub fn new(pool: PgPool, export_dir: impl Into<PathBuf>, reload_command: Option<String>) -> Self {
        let reload_command = reload_command.filter(|c| !c.trim().is_empty());
        Self { pool, export_dir: export_dir.into(), reload_command }
    }

    /// Where PEM files are written (the TLS page shows it so the admin can point other
    /// software at them).
    pub fn export_dir(&self) -> &Path {
        &self.export_dir
    }

    /// Every host's certificate for the TLS page: admin hosts first, then mail hosts.
    pub async fn list(&self) -> Result<Vec<CertificateStatus>, DeliverabilityError> {
        let rows: Vec<StatusRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM tls_certificate ORDER BY purpose, host"))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One host's certificate, if the host is known.
    pub async fn get(&self, host: &str) -> Result<Option<CertificateStatus>, DeliverabilityError> {
        let Ok(host) = normalize_host(host) else { return Ok(None) };
        let row: Option<StatusRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM tls_certificate WHERE host = $1"))
            .bind(host)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Into::into))
    }

    /// Adds a pending ACME row for a configured host that has none yet, so every host the
    /// server answers for shows on the TLS page (and mail hosts get issued) before the first
    /// attempt. An existing row, whatever its purpose or source, is left alone.
    pub async fn ensure_host(&self, host: &str, purpose: &str) -> Result<(), DeliverabilityError> {
        let host = normalize_host(host)?;
        let purpose = check_purpose(purpose)?;
        sqlx::query(
            "INSERT INTO tls_certificate (host, purpose, source) VALUES ($1, $2, 'acme') \
             ON CONFLICT (host) DO NOTHING",
        )
        .bind(host)
        .bind(purpose)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a certificate the admin brought (a commercial or internal CA's) after checking
    /// that it parses, that the key belongs to it, that it names the host and that it has not
    /// expired; then exports it and reloads. It replaces whatever the host had, and ACME
    /// leaves it alone from then on. A host without a row is taken as a mail host.
    pub async fn upload_custom(&self, upload: CustomCertificate) -> Result<CertificateStatus, DeliverabilityError> {
        let host = normalize_host(&upload.host)?;
        if upload.chain_pem.trim().is_empty() {
            return Err(DeliverabilityError::InvalidInput {
                field: "chain_pem",
                message: "paste the certificate chain (PEM, the server certificate first)".into(),
            });
        }
        if upload.key_pem.trim().is_empty() {
            return Err(DeliverabilityError::InvalidInput {
                field: "key_pem",
                message: "paste the private key (PEM)".into(),
            });
        }
        let parsed = checked_chain(&host, &upload.chain_pem, &upload.key_pem)?;
        let now = Utc::now();
        if parsed.not_after <= now {
            return Err(DeliverabilityError::Certificate(format!(
                "the certificate expired on {}",
                parsed.not_after.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        let purpose: Option<String> = sqlx::query_scalar("SELECT purpose FROM tls_certificate WHERE host = $1")
            .bind(&host)
            .fetch_optional(&self.pool)
            .await?;
        let purpose = purpose.unwrap_or_else(|| PURPOSE_MAIL.to_owned());
        let chain_pem = with_final_newline(&upload.chain_pem);
        let key_pem = with_final_newline(&upload.key_pem);
        store(&self.pool, &host, &purpose, "custom", &chain_pem, &key_pem, &parsed).await?;
        self.export(&host).await?;
        self.require(&host).await
    }

    /// Stores a certificate the HTTP-01 issuer just obtained: valid, no error, issued now.
    /// Mail hosts are exported and reloaded. A custom certificate uploaded in the meantime
    /// wins: it is kept and returned unchanged.
    pub async fn store_issued(
        &self,
        host: &str,
        purpose: &str,
        chain_pem: &str,
        key_pem: &str,
    ) -> Result<CertificateStatus, DeliverabilityError> {
        let host = normalize_host(host)?;
        let purpose = check_purpose(purpose)?;
        let parsed = checked_chain(&host, chain_pem, key_pem)?;
        let chain_pem = with_final_newline(chain_pem);
        let key_pem = with_final_newline(key_pem);
        let stored = store(&self.pool, &host, purpose, "acme", &chain_pem, &key_pem, &parsed).await?;
        let status = self.require(&host).await?;
        if !stored {
            tracing::info!(host = %host, "an ACME certificate was issued, but the host has a custom one; keeping that");
        } else if status.purpose == PURPOSE_MAIL {
            self.export(&host).await?;
        }
        Ok(status)
    }

    /// Records a failed issuance. A host that still has a certificate valid right now stays
    /// `valid` (it keeps serving; the page shows the error beside it); otherwise it turns
    /// `failed`. Either way `last_attempt` is now, which starts the retry back-off.
    pub async fn record_failure(&self, host: &str, purpose: &str, error: &str) -> Result<(), DeliverabilityError> {
        let host = normalize_host(host)?;
        let purpose = check_purpose(purpose)?;
        sqlx::query(
            "INSERT INTO tls_certificate (host, purpose, source, status, last_error, last_attempt, updated_at) \
             VALUES ($1, $2, 'acme', 'failed', $3, now(), now()) \
             ON CONFLICT (host) DO UPDATE SET \
                 status = CASE WHEN tls_certificate.chain_pem IS NOT NULL AND tls_certificate.not_after > now() \
                               THEN 'valid' ELSE 'failed' END, \
                 last_error = EXCLUDED.last_error, last_attempt = now(), updated_at = now()",
        )
        .bind(host)
        .bind(purpose)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Mail hosts whose ACME certificate is missing or inside the renewal window at `now`,
    /// skipping hosts attempted less than [`RETRY_BACKOFF`] ago. Admin hosts renew inside
    /// their own ACME state; custom certificates are the admin's to renew.
    pub async fn due_for_renewal(&self, now: DateTime<Utc>) -> Result<Vec<String>, DeliverabilityError> {
        let hosts: Vec<String> = sqlx::query_scalar(
            "SELECT host FROM tls_certificate \
             WHERE purpose = 'mail' AND source = 'acme' \
               AND (chain_pem IS NULL OR not_after IS NULL OR not_after < $1) \
               AND (last_attempt IS NULL OR last_attempt < $2) \
             ORDER BY host",
        )
        .bind(now + TimeDelta::days(RENEW_BEFORE_DAYS))
        .bind(now - RETRY_BACKOFF)
        .fetch_all(&self.pool)
        .await?;
        Ok(hosts)
    }

    /// Writes the host's chain and key to `<export_dir>/<host>/fullchain.pem` (0644) and
    /// `privkey.pem` (0600), each through a temporary file and a rename so a daemon never
    /// reads half a file, then runs the reload command. A failed reload is logged, not
    /// returned: the files are right, and the next reload picks them up.
    pub async fn export(&self, host: &str) -> Result<(), DeliverabilityError> {
        // The host becomes a directory name: only a well-formed one may.
        let host = normalize_host(host)?;
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT chain_pem, key_pem FROM tls_certificate WHERE host = $1")
                .bind(&host)
                .fetch_optional(&self.pool)
                .await?;
        let Some((Some(chain_pem), Some(key_pem))) = row else {
            return Err(DeliverabilityError::Certificate(format!("no certificate is stored for {host}")));
        };
        let dir = self.export_dir.join(&host);
        tokio::fs::create_dir_all(&dir).await?;
        write_atomically(&dir.join("privkey.pem"), key_pem.as_bytes(), 0o600, None).await?;
        write_atomically(&dir.join("fullchain.pem"), chain_pem.as_bytes(), 0o644, None).await?;
        self.reload(&host).await;
        Ok(())
    }

    async fn reload(&self, host: &str) {
        let Some(command) = &self.reload_command else { return };
        let mut run = tokio::process::Command::new("sh");
        run.arg("-c").arg(command).env("BM_TLS_HOST", host).stdin(Stdio::null()).kill_on_drop(true);
        match tokio::time::timeout(RELOAD_TIMEOUT, run.output()).await {
            Ok(Ok(output)) if output.status.success() => tracing::info!(host, "TLS reload command ran"),
            Ok(Ok(output)) => {
                let stderr = String::from_utf8_lossy(&output.stderr);
                tracing::warn!(
                    host,
                    status = %output.status,
                    stderr = %stderr.trim(),
                    "TLS reload command failed; the new certificate is exported but not yet in use"
                );
            }
            Ok(Err(e)) => tracing::warn!(host, error = %e, "TLS reload command could not start"),
            Err(_) => tracing::warn!(host, "TLS reload command timed out after {} s", RELOAD_TIMEOUT.as_secs()),
        }
    }

    async fn require(&self, host: &str) -> Result<CertificateStatus, DeliverabilityError> {
        self.get(host).await?.ok_or_else(|| DeliverabilityError::Certificate(format!("no certificate row for {host}")))
    }
}

/// Host names as the table keys them: trimmed, lower case, IDN as punycode, qualified.
fn normalize_host(host: &str) -> Result<String, DeliverabilityError> {
    normalize_domain(host).map_err(|e| DeliverabilityError::InvalidInput { field: "host", message: e.to_string() })
}

fn check_purpose(purpose: &str) -> Result<&'static str, DeliverabilityError> {
    match purpose {
        PURPOSE_ADMIN => Ok(PURPOSE_ADMIN),
        PURPOSE_MAIL => Ok(PURPOSE_MAIL),
        other => Err(DeliverabilityError::InvalidInput {
            field: "purpose",
            message: format!("{other:?} is neither {PURPOSE_ADMIN:?} nor {PURPOSE_MAIL:?}"),
        }),
    }
}

/// Parses the chain and checks that the key belongs to it and that it names `host`.
pub(crate) fn checked_chain(host: &str, chain_pem: &str, key_pem: &str) -> Result<ParsedChain, DeliverabilityError> {
    let parsed = parse_chain(chain_pem)?;
    check_key_matches(&parsed, key_pem)?;
    if !covers(&parsed.names, host) {
        let names = if parsed.names.is_empty() { "no DNS names".to_owned() } else { parsed.names.join(", ") };
        return Err(DeliverabilityError::Certificate(format!(
            "the certificate does not cover {host} (it names {names})"
        )));
    }
    Ok(parsed)
}

/// Writes a checked certificate into the host's row. Custom certificates replace anything;
/// ACME ones replace only ACME rows, so an uploaded certificate is never overwritten by an
/// issuance that was already under way. An existing row keeps its purpose. Returns whether
/// the row was written.
pub(crate) async fn store(
    pool: &PgPool,
    host: &str,
    purpose: &str,
    source: &str,
    chain_pem: &str,
    key_pem: &str,
    parsed: &ParsedChain,
) -> Result<bool, DeliverabilityError> {
    let done = sqlx::query(
        "INSERT INTO tls_certificate (host, purpose, source, status, chain_pem, key_pem, not_before, not_after, \
                                      issuer, last_error, last_attempt, issued_at, updated_at) \
         VALUES ($1, $2, $3, 'valid', $4, $5, $6, $7, $8, NULL, CASE WHEN $3 = 'acme' THEN now() END, now(), now()) \
         ON CONFLICT (host) DO UPDATE SET \
             source = EXCLUDED.source, status = 'valid', chain_pem = EXCLUDED.chain_pem, key_pem = EXCLUDED.key_pem, \
             not_before = EXCLUDED.not_before, not_after = EXCLUDED.not_after, issuer = EXCLUDED.issuer, \
             last_error = NULL, last_attempt = EXCLUDED.last_attempt, issued_at = now(), updated_at = now() \
         WHERE EXCLUDED.source = 'custom' OR tls_certificate.source = 'acme'",
    )
    .bind(host)
    .bind(purpose)
    .bind(source)
    .bind(chain_pem)
    .bind(key_pem)
    .bind(parsed.not_before)
    .bind(parsed.not_after)
    .bind(&parsed.issuer)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

fn with_final_newline(pem: &str) -> String {
    let mut text = pem.trim().replace("\r\n", "\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_text_is_stored_with_unix_line_endings_and_one_final_newline() {
        let crlf = "-----BEGIN X-----\r\nAA\r\n-----END X-----\r\n\r\n";
        assert_eq!(with_final_newline(crlf), "-----BEGIN X-----\nAA\n-----END X-----\n");
    }

    #[test]
    fn purposes_are_checked() {
        assert_eq!(check_purpose("mail").unwrap(), "mail");
        assert!(matches!(check_purpose("web"), Err(DeliverabilityError::InvalidInput { field: "purpose", .. })));
    }
}
