//! `billionmail mail …`: provisioning for scripts, and the DKIM check support staff run on
//! a message a customer forwards.

use engine::mail::{MailAdmin, MailError};
use model::mail::{DomainInput, MailboxInput, parse_size};
use sqlx::PgPool;

use crate::admin_cli::{AdminCliError, read_password};
use crate::cli::MailAction;

/// Why a mail command failed, as printed to the operator.
#[derive(Debug, thiserror::Error)]
pub enum MailCliError {
    #[error("{0}")]
    Mail(#[from] MailError),
    #[error("{0}")]
    Password(#[from] AdminCliError),
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("quota {0:?} is not a size like 2 GB")]
    Quota(String),
    #[error("{failed} of {total} DKIM signature(s) did not verify")]
    DkimFailed { failed: usize, total: usize },
}

/// Runs one mail command; returns what to print on success.
pub async fn run(mail: &MailAdmin, pool: &PgPool, action: MailAction) -> Result<String, MailCliError> {
    match action {
        MailAction::AddDomain { domain } => {
            let d = mail.domains.create(&DomainInput { name: domain, ..DomainInput::default() }).await?;
            Ok(format!("domain {} added (DKIM selector {})", d.name, d.dkim_selector.unwrap_or_default()))
        }
        MailAction::AddMailbox { address, quota, password_stdin } => {
            let quota_bytes = match quota {
                Some(q) => Some(parse_size(&q).ok_or(MailCliError::Quota(q))?),
                None => None,
            };
            let password = read_password(password_stdin)?;
            let m = mail
                .mailboxes
                .create(&MailboxInput {
                    address,
                    display_name: String::new(),
                    quota_bytes,
                    active: true,
                    password: Some(password),
                })
                .await?;
            Ok(format!("mailbox {} added", m.address))
        }
        MailAction::VerifyDkim { files } => {
            let (mut lines, mut failed, mut total) = (Vec::new(), 0, 0);
            for path in files {
                let raw = std::fs::read(&path)
                    .map_err(|source| MailCliError::Read { path: path.display().to_string(), source })?;
                let checks = engine::mail::dkim_verify::verify_with_stored_keys(pool, &raw).await?;
                if checks.is_empty() {
                    failed += 1;
                    total += 1;
                    lines.push(serde_json::json!({"file": path.display().to_string(), "pass": false, "result": "no DKIM-Signature header"}).to_string());
                }
                for c in checks {
                    total += 1;
                    failed += usize::from(!c.pass);
                    lines.push(
                        serde_json::json!({"file": path.display().to_string(), "domain": c.domain, "selector": c.selector,
                            "pass": c.pass, "result": c.result})
                        .to_string(),
                    );
                }
            }
            println!("{}", lines.join("\n"));
            if failed > 0 { Err(MailCliError::DkimFailed { failed, total }) } else { Ok(String::new()) }
        }
    }
}
