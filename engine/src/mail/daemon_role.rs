//! The database login Postfix and Dovecot use: `billionmail_mail` (created NOLOGIN by the
//! migration) may read the `mail_*` views and write quota usage, nothing else. Giving it a
//! password here lets operators connect the daemons with it instead of the app's own user.

use sqlx::PgPool;

use super::MailError;

/// The role the migration creates for the mail daemons.
pub const ROLE: &str = "billionmail_mail";

/// Lets `billionmail_mail` log in with `password` (needs CREATEROLE or superuser, which the
/// app's own database user has in the bundled set-ups).
pub async fn enable_login(pool: &PgPool, password: &str) -> Result<(), MailError> {
    if password.is_empty() || password.contains('$') || password.chars().any(char::is_control) {
        return Err(MailError::Limit(
            "the mail daemons' database password must be non-empty, without `$` (Postfix expands it) or control characters"
                .into(),
        ));
    }
    let mut tx = pool.begin().await?;
    // ALTER ROLE takes no bind parameters: a session-local function quotes the password with
    // format('%L'), so the value never becomes SQL text.
    sqlx::query(
        "CREATE FUNCTION pg_temp.bm_mail_login(p TEXT) RETURNS VOID LANGUAGE plpgsql AS \
         $f$ BEGIN EXECUTE format('ALTER ROLE billionmail_mail LOGIN PASSWORD %L', p); END $f$",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("SELECT pg_temp.bm_mail_login($1)").bind(password).execute(&mut *tx).await?;
    sqlx::query("DROP FUNCTION pg_temp.bm_mail_login(TEXT)").execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
