//! `billionmail bounce parse FILE…`: the engine's report parser on saved messages, for support
//! staff asking "why was this address suppressed?" and for scripts. One JSON object per line
//! per recipient found, so the output pipes into `jq` or a spreadsheet import.

use std::io::Write;
use std::process::ExitCode;

use crate::cli::BounceAction;

/// Runs a bounce command; unreadable files are reported on stderr and make the exit status 1
/// after the readable ones were printed.
pub fn run(action: &BounceAction) -> ExitCode {
    let BounceAction::Parse { files } = action;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    for path in files {
        let file = path.display().to_string();
        let raw = match std::fs::read(path) {
            Ok(raw) => raw,
            Err(e) => {
                eprintln!("billionmail: cannot read {file}: {e}");
                failed = true;
                continue;
            }
        };
        let report = engine::bounces::parse_report(&raw);
        if report.recipients.is_empty() {
            eprintln!("{file}: no recipient result found ({})", serde_json::json!(report.kind));
        }
        for r in &report.recipients {
            let line = serde_json::json!({
                "file": file,
                "recipient": r.recipient,
                "status": r.status,
                "reply_code": r.reply_code,
                "class": r.class,
                "reason": r.reason,
                "category": r.reason.category(),
                "remote_mta": r.remote_mta,
                "action": r.action,
                "diagnostic": r.diagnostic,
                "feedback_type": r.feedback_type,
            });
            if writeln!(out, "{line}").is_err() {
                return ExitCode::FAILURE;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
