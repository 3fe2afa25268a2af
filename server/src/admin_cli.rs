//! `billionmail admin create|reset-password`.

use std::io::BufRead;

use engine::auth::{AdminError, Authenticator};

use crate::cli::AdminAction;

/// Why an admin command failed, as printed to the operator.
#[derive(Debug, thiserror::Error)]
pub enum AdminCliError {
    #[error("{0}")]
    Admin(#[from] AdminError),
    #[error("cannot read the password: {0}")]
    Input(#[from] std::io::Error),
    #[error("the two passwords differ")]
    Mismatch,
}

/// Runs one admin command against `auth`; returns what to print on success.
pub async fn run(auth: &Authenticator, action: AdminAction) -> Result<String, AdminCliError> {
    match action {
        AdminAction::Create { username, password_stdin } => {
            let password = read_password(password_stdin)?;
            let user = auth.accounts.create(&username, &password).await?;
            Ok(format!("admin {} created (id {})", user.username, user.id))
        }
        AdminAction::ResetPassword { username, password_stdin } => {
            let password = read_password(password_stdin)?;
            auth.accounts.reset_password(&username, &password).await?;
            Ok(format!("password of {} changed; their sessions were ended", username.trim().to_lowercase()))
        }
    }
}

pub(crate) fn read_password(from_stdin: bool) -> Result<String, AdminCliError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("New password: ")?;
    let second = rpassword::prompt_password("Repeat password: ")?;
    if first != second {
        return Err(AdminCliError::Mismatch);
    }
    Ok(first)
}
