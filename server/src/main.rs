//! `billionmail`: loads configuration, opens the database, runs the chosen command.

// Leptos view types nest deeply in release builds (no type erasure there).
#![recursion_limit = "256"]

use std::process::ExitCode;

use clap::Parser;
use engine::auth::Authenticator;
use server::cli::{Cli, Command};
use server::config::Config;
use server::database::OpenDatabase;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref(), &|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("billionmail: {e}");
            return ExitCode::from(2);
        }
    };
    server::logging::init(&config.log, config.log_format);
    if let Some(Command::Postgres { action }) = &cli.command {
        return match server::database::embedded_command(&config, action).await {
            Ok(msg) => {
                println!("{msg}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("billionmail: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Bounce { action }) = &cli.command {
        return server::bounce_cli::run(action);
    }
    let mut open = match OpenDatabase::open(&config).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("billionmail: {e}");
            return ExitCode::FAILURE;
        }
    };
    let auth = Authenticator::new(open.db.pool.clone(), server::auth_policy(&config));
    let outcome: Result<String, String> = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            server::serve::run(&config, &open, auth).await.map(|_| String::new()).map_err(|e| e.to_string())
        }
        Command::Migrate => engine::db::migrate::applied_count(&open.db.pool)
            .await
            .map(|n| format!("database is up to date ({n} migrations applied)"))
            .map_err(|e| e.to_string()),
        Command::Admin { action } => server::admin_cli::run(&auth, action).await.map_err(|e| e.to_string()),
        Command::Mail { action } => {
            let mail = server::serve::mail_admin(&config, &open.db);
            server::mail_cli::run(&mail, &open.db.pool, action).await.map_err(|e| e.to_string())
        }
        Command::Dns { action } => match server::serve::app_state(&config, open.db.clone(), auth.clone()) {
            Ok(state) => server::dns_cli::run(&state.deliverability, action).await,
            Err(e) => Err(e.to_string()),
        },
        Command::Postgres { .. } | Command::Bounce { .. } => Ok(String::new()),
    };
    open.close().await;
    match outcome {
        Ok(msg) => {
            if !msg.is_empty() {
                println!("{msg}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("billionmail: {e}");
            ExitCode::FAILURE
        }
    }
}
