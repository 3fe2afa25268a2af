//! Command-line interface of the `billionmail` binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// BillionMail: self-hosted mail server and email-marketing platform.
#[derive(Debug, Parser)]
#[command(name = "billionmail", version, about, long_about = None)]
pub struct Cli {
    /// TOML configuration file (default: ./billionmail.toml when it exists).
    #[arg(long, short = 'c', env = "BM_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when omitted.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web admin, API and background workers (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Start or stop the embedded PostgreSQL cluster under the data directory on its own
    /// (to inspect it with psql, or to share one cluster between test runs).
    Postgres {
        #[command(subcommand)]
        action: PostgresAction,
    },
    /// Manage admin accounts from the shell (for recovery or automation).
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Mail domains and mailboxes from the shell (automation), and DKIM checks (support).
    Mail {
        #[command(subcommand)]
        action: MailAction,
    },
    /// DNS record checks from the shell (support, scripting).
    Dns {
        #[command(subcommand)]
        action: DnsAction,
    },
    /// Bounce reports from the shell (support, scripting); needs no database.
    Bounce {
        #[command(subcommand)]
        action: BounceAction,
    },
}

/// Bounce report commands.
#[derive(Debug, Subcommand)]
pub enum BounceAction {
    /// Parse saved messages (DSNs, ARF complaints, auto-replies, non-standard bounces) with the
    /// engine's parser and print one JSON object per line per recipient found: file,
    /// recipient, status, reply_code, class, reason, category, remote_mta, action, diagnostic.
    Parse {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// DNS commands.
#[derive(Debug, Subcommand)]
pub enum DnsAction {
    /// Verify every DNS record of a domain now (with the configured resolver) and print the
    /// verdicts; exits non-zero when a required record fails.
    Check { domain: String },
}

/// Mail server commands.
#[derive(Debug, Subcommand)]
pub enum MailAction {
    /// Add a mail domain (with postmaster@, abuse@ and a DKIM key).
    AddDomain { domain: String },
    /// Add a mailbox; the password is prompted for, or read from standard input.
    AddMailbox {
        address: String,
        /// Quota such as `2 GB`; default: the domain's default quota.
        #[arg(long)]
        quota: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Check the DKIM signatures of saved messages against this server's keys (no DNS
    /// needed); prints one JSON object per signature and fails unless all pass.
    VerifyDkim {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Admin account commands.
#[derive(Debug, Subcommand)]
pub enum AdminAction {
    /// Create an admin account.
    Create {
        username: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for an admin and sign them out everywhere.
    ResetPassword {
        username: String,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Embedded cluster commands.
#[derive(Debug, Subcommand)]
pub enum PostgresAction {
    /// Create/start the cluster, leave it running and print its connection URL.
    Start,
    /// Stop the cluster.
    Stop,
}
