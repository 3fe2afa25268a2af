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
