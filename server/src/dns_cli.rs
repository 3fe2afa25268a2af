//! `billionmail dns check DOMAIN`: the DNS page's verdicts on a terminal, for support and
//! scripts (the exit status says whether the domain is ready to send).

use engine::deliverability::Deliverability;

use crate::cli::DnsAction;

/// Runs `action`; `Err` carries the text to print when a required record fails.
pub async fn run(d: &Deliverability, action: DnsAction) -> Result<String, String> {
    match action {
        DnsAction::Check { domain } => {
            let started = std::time::Instant::now();
            let checks = d.verifier.verify(&domain).await.map_err(|e| e.to_string())?;
            let mut out = String::new();
            for c in &checks {
                out.push_str(&format!(
                    "{:<9} {:<22} {:<5} {}\n",
                    c.status.label(),
                    c.record.purpose.label(),
                    c.record.rtype.as_str(),
                    c.record.host
                ));
                if !c.found.is_empty() && c.status != model::deliverability::CheckStatus::Ok {
                    out.push_str(&format!("          found:    {}\n", c.found.join(" | ")));
                }
                if let Some(problem) = &c.problem {
                    out.push_str(&format!("          problem:  {problem}\n"));
                    out.push_str(&format!("          expected: {}\n", c.record.value));
                }
                if let Some(fix) = &c.fix {
                    out.push_str(&format!("          fix:      {fix}\n"));
                }
            }
            let failing = checks.iter().filter(|c| c.record.required && !c.status.is_passing()).count();
            out.push_str(&format!(
                "{} records checked in {} ms; {}",
                checks.len(),
                started.elapsed().as_millis(),
                if failing == 0 { "ready to send".to_owned() } else { format!("{failing} required record(s) failing") }
            ));
            if failing == 0 { Ok(out) } else { Err(out) }
        }
    }
}
