//! One check per kind of record: look it up, compare it with what this server needs, and
//! say what is wrong and how to fix it in the admin's terms. A lookup that failed is
//! reported as that failure (NXDOMAIN, SERVFAIL, timeout), never as OK.

use std::net::IpAddr;
use std::time::Instant;

use model::deliverability::dmarc::{DmarcPolicy, DmarcRecord, is_dmarc};
use model::deliverability::mta_sts::{StsRecord, is_sts};
use model::deliverability::spf::{SpfQualifier, SpfRecord, is_spf};
use model::deliverability::tls_rpt::{TlsRptRecord, is_tls_rpt};
use model::deliverability::{
    CheckStatus, DkimKeyInfo, DnsPolicy, ExpectedRecord, RecordCheck, RecordPurpose, ServerIdentity,
};

use super::resolver::{DnsAnswer, DnsResolver};
use super::spf_eval::{LOOKUP_LIMIT, SpfEvaluator, SpfResult, count_lookups};

/// What the checks compare against.
pub struct CheckContext<'a> {
    pub resolver: &'a DnsResolver,
    pub domain: &'a str,
    pub policy: &'a DnsPolicy,
    pub server: &'a ServerIdentity,
    pub keys: &'a [DkimKeyInfo],
    /// Addresses mail leaves from: configured, or else what the mail host resolves to.
    pub sending_ips: &'a [IpAddr],
}

/// Runs the check for `record`.
pub async fn check(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let started = Instant::now();
    let mut result = match record.purpose {
        RecordPurpose::Mx => check_mx(ctx, record).await,
        RecordPurpose::MailHostA | RecordPurpose::MailHostAaaa => check_address(ctx, record).await,
        RecordPurpose::Spf => check_spf(ctx, record).await,
        RecordPurpose::Dkim => check_dkim(ctx, record).await,
        RecordPurpose::Dmarc => check_dmarc(ctx, record).await,
        RecordPurpose::Ptr => check_ptr(ctx, record).await,
        RecordPurpose::MtaSts => check_mta_sts(ctx, record).await,
        RecordPurpose::MtaStsHost => check_mta_sts_host(ctx, record).await,
        RecordPurpose::TlsRpt => check_tls_rpt(record, ctx).await,
    };
    result.elapsed_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
    result.checked_at = chrono::Utc::now();
    result
}

/// The check for a lookup that did not return records.
fn failed<T>(record: ExpectedRecord, answer: &DnsAnswer<T>) -> RecordCheck {
    let name = record.host.clone();
    let rtype = record.rtype.as_str();
    let publish = format!("Publish a {} record at {name}: {}", record.rtype.as_str(), record.value);
    match answer {
        DnsAnswer::Records(_) => RecordCheck::new(record, CheckStatus::Ok),
        DnsAnswer::NoRecords => {
            RecordCheck::new(record, CheckStatus::Missing).explain(format!("{name} has no {} record", rtype), publish)
        }
        DnsAnswer::NxDomain => RecordCheck::new(record, CheckStatus::NxDomain).explain(answer.describe(&name), publish),
        DnsAnswer::ServFail(_) => RecordCheck::new(record, CheckStatus::ServFail).explain(
            answer.describe(&name),
            "The domain's DNS servers are failing (often a DNSSEC or delegation error); check them with your DNS host",
        ),
        DnsAnswer::Timeout => RecordCheck::new(record, CheckStatus::Timeout)
            .explain(answer.describe(&name), "The DNS servers did not answer; check again later or fix the delegation"),
        DnsAnswer::Failed(_) => RecordCheck::new(record, CheckStatus::Error).explain(answer.describe(&name), ""),
    }
}

fn missing(record: ExpectedRecord, what: &str) -> RecordCheck {
    let fix = format!("Publish a {} record at {}: {}", record.rtype.as_str(), record.host, record.value);
    let problem = format!("{} has no {what} record", record.host);
    RecordCheck::new(record, CheckStatus::Missing).explain(problem, fix)
}

async fn check_mx(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let answer = ctx.resolver.mx(ctx.domain).await;
    let DnsAnswer::Records(mx) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => missing(record, "MX"),
            _ => failed(record, &answer),
        };
    };
    let found: Vec<String> = mx.iter().map(|(p, h)| format!("{p} {}", if h.is_empty() { "." } else { h })).collect();
    let ours = &ctx.server.mail_host;
    if mx.iter().any(|(_, h)| h.is_empty()) {
        return RecordCheck::new(record, CheckStatus::Invalid)
            .with_found(found)
            .explain("a null MX (\".\") says the domain accepts no mail", format!("Replace it with MX 10 {ours}"));
    }
    if mx.iter().any(|(_, h)| h == ours) {
        let others: Vec<&str> = mx.iter().filter(|(_, h)| h != ours).map(|(_, h)| h.as_str()).collect();
        if others.is_empty() {
            RecordCheck::new(record, CheckStatus::Ok).with_found(found)
        } else {
            let problem = format!("mail may also go to {}, which is not this server", others.join(", "));
            RecordCheck::new(record, CheckStatus::Warning)
                .with_found(found)
                .explain(problem, "Remove the other MX records unless those servers relay to this one")
        }
    } else {
        let problem = format!(
            "MX points to {}, not to {ours}",
            mx.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join(", ")
        );
        RecordCheck::new(record, CheckStatus::Mismatch)
            .with_found(found)
            .explain(problem, format!("Replace the MX records with: 10 {ours}"))
    }
}

async fn check_address(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let host = ctx.server.mail_host.clone();
    let (answer, expected): (DnsAnswer<String>, Option<String>) = if record.purpose == RecordPurpose::MailHostA {
        let expected = (!ctx.server.ipv4.is_empty()).then(|| record.value.clone());
        (ctx.resolver.a(&host).await.map(|ip| ip.to_string()), expected)
    } else {
        (ctx.resolver.aaaa(&host).await.map(|ip| ip.to_string()), Some(record.value.clone()))
    };
    let DnsAnswer::Records(found) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => {
                let kind = if record.purpose == RecordPurpose::MailHostA { "A" } else { "AAAA" };
                missing(record, kind)
            }
            _ => failed(record, &answer),
        };
    };
    let found = found.clone();
    match expected {
        Some(ip) if !found.contains(&ip) => {
            let problem = format!("{host} resolves to {}, not to {ip}", found.join(", "));
            let fix = format!("Set the {} record of {host} to {ip}", record.rtype.as_str());
            RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(problem, fix)
        }
        _ => RecordCheck::new(record, CheckStatus::Ok).with_found(found),
    }
}

async fn check_spf(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let answer = ctx.resolver.txt(ctx.domain).await;
    let DnsAnswer::Records(txt) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => missing(record, "SPF (TXT)"),
            _ => failed(record, &answer),
        };
    };
    let spf: Vec<String> = txt.iter().filter(|t| is_spf(t)).cloned().collect();
    let fix_value = format!("Publish exactly one TXT record at {}: {}", record.host, record.value);
    let parsed = match spf.as_slice() {
        [] => return missing(record, "SPF (TXT v=spf1)").with_found(txt.clone()),
        [one] => SpfRecord::parse(one),
        _ => {
            let problem = format!("{} SPF records: receivers treat that as a permanent error", spf.len());
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(spf)
                .explain(problem, format!("Merge them into one. {fix_value}"));
        }
    };
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(spf)
                .explain(format!("the SPF record is invalid: {e}"), fix_value);
        }
    };
    match count_lookups(ctx.resolver, &parsed).await {
        Ok(n) if n > LOOKUP_LIMIT => {
            let problem = format!("SPF has {n} DNS lookups, limit {LOOKUP_LIMIT}");
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(spf)
                .explain(problem, "Remove includes you no longer use, or replace some with ip4:/ip6: ranges");
        }
        Ok(_) => {}
        Err(e) => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(spf)
                .explain(format!("the SPF record cannot be evaluated: {e}"), fix_value);
        }
    }
    // Every sending address must pass.
    let mut evaluator = SpfEvaluator::new(ctx.resolver);
    for ip in ctx.sending_ips {
        let result = evaluator.check_host(*ip, ctx.domain).await;
        match result {
            SpfResult::Pass => {}
            SpfResult::TempError(e) => {
                return RecordCheck::new(record, CheckStatus::Error)
                    .with_found(spf)
                    .explain(format!("SPF could not be evaluated for {ip}: {e}"), "Check again later");
            }
            other => {
                let detail = match &other {
                    SpfResult::PermError(e) => format!(" ({e})"),
                    _ => String::new(),
                };
                let problem =
                    format!("SPF does not authorise this server's address {ip}: result {}{detail}", other.name());
                return RecordCheck::new(record, CheckStatus::Mismatch).with_found(spf).explain(
                    problem,
                    format!("Add ip{}:{ip} (or mx) to the record. {fix_value}", if ip.is_ipv4() { 4 } else { 6 }),
                );
            }
        }
    }
    let present = parsed.includes();
    let absent: Vec<&String> = ctx.policy.spf_includes.iter().filter(|i| !present.contains(&i.as_str())).collect();
    if !absent.is_empty() {
        let list = absent.iter().map(|i| format!("include:{i}")).collect::<Vec<_>>().join(" ");
        return RecordCheck::new(record, CheckStatus::Mismatch)
            .with_found(spf)
            .explain(format!("the relays in use are missing: {list}"), fix_value);
    }
    match parsed.all_qualifier() {
        Some(SpfQualifier::Pass) => RecordCheck::new(record, CheckStatus::Invalid)
            .with_found(spf)
            .explain("+all lets anyone in the world send as this domain", fix_value),
        Some(SpfQualifier::Neutral) | None if parsed.redirect().is_none() => {
            RecordCheck::new(record, CheckStatus::Warning)
                .with_found(spf)
                .explain("the record does not end in -all or ~all, so forged mail gets a neutral result", fix_value)
        }
        _ => RecordCheck::new(record, CheckStatus::Ok).with_found(spf),
    }
}

async fn check_dkim(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let selector = record.key.trim_start_matches("dkim:").to_owned();
    let Some(key) = ctx.keys.iter().find(|k| k.selector == selector) else {
        return RecordCheck::new(record, CheckStatus::Error).explain("the key is no longer stored", "");
    };
    let answer = ctx.resolver.txt(&record.host).await;
    let DnsAnswer::Records(txt) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => missing(record, "DKIM (TXT)"),
            _ => failed(record, &answer),
        };
    };
    let fix = format!("Publish one TXT record at {}: {}", record.host, record.value);
    let dkim: Vec<String> = txt.iter().filter(|t| t.contains("p=")).cloned().collect();
    let one = match dkim.as_slice() {
        [] => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(txt.clone())
                .explain("the TXT record is not a DKIM key (no p=)", fix);
        }
        [one] => one.clone(),
        _ => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(dkim)
                .explain("more than one DKIM record at this selector", fix);
        }
    };
    let tags = parse_tags(&one);
    let published = tags.iter().find(|(k, _)| k == "p").map(|(_, v)| v.split_whitespace().collect::<String>());
    let key_type =
        tags.iter().find(|(k, _)| k == "k").map(|(_, v)| v.to_ascii_lowercase()).unwrap_or_else(|| "rsa".into());
    let found = vec![one.clone()];
    if tags.iter().any(|(k, v)| k == "v" && v != "DKIM1") {
        return RecordCheck::new(record, CheckStatus::Invalid).with_found(found).explain("v= must be DKIM1", fix);
    }
    match published.as_deref() {
        Some("") => RecordCheck::new(record, CheckStatus::Mismatch)
            .with_found(found)
            .explain("the key is revoked (empty p=)", fix),
        Some(p) if p == key.public_b64 && key_type == key.algorithm.key_type() => {
            RecordCheck::new(record, CheckStatus::Ok).with_found(found)
        }
        Some(p) if p == key.public_b64 => RecordCheck::new(record, CheckStatus::Mismatch)
            .with_found(found)
            .explain(format!("k={key_type} but the key is {}", key.algorithm.key_type()), fix),
        Some(p) => {
            let tail = |s: &str| s.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect::<String>();
            let problem = format!(
                "DKIM key does not match: DNS has …{}, this server signs with …{}",
                tail(p),
                tail(&key.public_b64)
            );
            RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(problem, fix)
        }
        None => RecordCheck::new(record, CheckStatus::Invalid).with_found(found).explain("no p= tag", fix),
    }
}

/// `k=v; k=v` tags (DKIM, STS), keys lower-cased, values trimmed.
fn parse_tags(txt: &str) -> Vec<(String, String)> {
    txt.split(';')
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect()
}

async fn check_dmarc(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let answer = ctx.resolver.txt(&record.host).await;
    let DnsAnswer::Records(txt) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => missing(record, "DMARC (TXT)"),
            _ => failed(record, &answer),
        };
    };
    let fix = format!("Publish one TXT record at {}: {}", record.host, record.value);
    let candidates: Vec<String> = txt
        .iter()
        .filter(|t| is_dmarc(t) || t.trim_start().to_ascii_lowercase().starts_with("v=dmarc"))
        .cloned()
        .collect();
    let one = match candidates.as_slice() {
        [] => return missing(record, "DMARC (TXT v=DMARC1)").with_found(txt.clone()),
        [one] => one.clone(),
        _ => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(candidates)
                .explain("more than one DMARC record: receivers ignore them all", fix);
        }
    };
    let found = vec![one.clone()];
    let parsed = match DmarcRecord::parse(&one) {
        Ok(p) => p,
        Err(e) => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(found)
                .explain(format!("the DMARC record is invalid: {e}"), fix);
        }
    };
    if parsed.policy == DmarcPolicy::None {
        return RecordCheck::new(record, CheckStatus::Warning).with_found(found).explain(
            "DMARC p=none: receivers only report, forged mail is still delivered",
            format!(
                "When the reports look clean, move to p={}. {fix}",
                if ctx.policy.dmarc_policy == DmarcPolicy::None {
                    DmarcPolicy::Quarantine
                } else {
                    ctx.policy.dmarc_policy
                }
            ),
        );
    }
    if parsed.policy != ctx.policy.dmarc_policy {
        return RecordCheck::new(record, CheckStatus::Warning).with_found(found).explain(
            format!("DNS has p={}, the policy chosen here is p={}", parsed.policy, ctx.policy.dmarc_policy),
            fix,
        );
    }
    if parsed.rua.is_empty() {
        return RecordCheck::new(record, CheckStatus::Warning)
            .with_found(found)
            .explain("no rua= address: you receive no aggregate reports", fix);
    }
    RecordCheck::new(record, CheckStatus::Ok).with_found(found)
}

async fn check_ptr(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let Ok(ip) = record.host.parse::<IpAddr>() else {
        return RecordCheck::new(record, CheckStatus::Error).explain("not an IP address", "");
    };
    let helo = ctx.server.mail_host.clone();
    let fix = format!("Ask your hosting provider to set the reverse DNS of {ip} to {helo}");
    let answer = ctx.resolver.ptr(ip).await;
    let DnsAnswer::Records(names) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => {
                RecordCheck::new(record, CheckStatus::Missing).explain(format!("{ip} has no reverse DNS (PTR)"), fix)
            }
            DnsAnswer::NxDomain => RecordCheck::new(record, CheckStatus::NxDomain).explain(
                format!("{ip} has no reverse DNS ({} does not exist)", super::resolver::reverse_name(ip)),
                fix,
            ),
            _ => failed(record, &answer),
        };
    };
    let found = names.clone();
    if !names.contains(&helo) {
        let problem = format!("PTR of {ip} is {}, HELO name is {helo}", names.join(", "));
        return RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(problem, fix);
    }
    // Forward-confirmed: the HELO name must resolve back to the address.
    let forward: DnsAnswer<IpAddr> = match ip {
        IpAddr::V4(_) => ctx.resolver.a(&helo).await.map(IpAddr::V4),
        IpAddr::V6(_) => ctx.resolver.aaaa(&helo).await.map(IpAddr::V6),
    };
    match forward {
        DnsAnswer::Records(ips) if ips.contains(&ip) => RecordCheck::new(record, CheckStatus::Ok).with_found(found),
        DnsAnswer::Records(ips) => RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(
            format!(
                "{helo} resolves to {}, not back to {ip} (reverse DNS is not forward-confirmed)",
                ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ),
            format!("Point {helo} at {ip}"),
        ),
        other => RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(
            format!("reverse DNS is not forward-confirmed: {}", other.describe(&helo)),
            format!("Point {helo} at {ip}"),
        ),
    }
}

async fn check_mta_sts(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let answer = ctx.resolver.txt(&record.host).await;
    let DnsAnswer::Records(txt) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => missing(record, "MTA-STS (TXT)"),
            _ => failed(record, &answer),
        };
    };
    let fix = format!("Publish one TXT record at {}: {}", record.host, record.value);
    let sts: Vec<String> = txt.iter().filter(|t| is_sts(t)).cloned().collect();
    let one = match sts.as_slice() {
        [] => return missing(record, "MTA-STS (TXT v=STSv1)").with_found(txt.clone()),
        [one] => one.clone(),
        _ => {
            return RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(sts)
                .explain("more than one MTA-STS record: senders ignore them all", fix);
        }
    };
    let found = vec![one.clone()];
    match StsRecord::parse(&one) {
        Err(e) => RecordCheck::new(record, CheckStatus::Invalid)
            .with_found(found)
            .explain(format!("the MTA-STS record is invalid: {e}"), fix),
        Ok(r) if r.id != ctx.policy.mta_sts_id => {
            RecordCheck::new(record, CheckStatus::Warning).with_found(found).explain(
                format!(
                    "id={} is not the current policy id {}: senders keep the old policy",
                    r.id, ctx.policy.mta_sts_id
                ),
                fix,
            )
        }
        Ok(_) => RecordCheck::new(record, CheckStatus::Ok).with_found(found),
    }
}

async fn check_mta_sts_host(ctx: &CheckContext<'_>, record: ExpectedRecord) -> RecordCheck {
    let fix = format!("Publish CNAME {} → {} (or an A record of this server)", record.host, record.value);
    let cname = ctx.resolver.cname(&record.host).await;
    if let DnsAnswer::Records(targets) = &cname {
        let found = targets.clone();
        return if targets.contains(&record.value) {
            RecordCheck::new(record, CheckStatus::Ok).with_found(found)
        } else {
            let problem = format!("{} is an alias of {}, not of {}", record.host, targets.join(", "), record.value);
            RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(problem, fix)
        };
    }
    match ctx.resolver.a(&record.host).await {
        DnsAnswer::Records(ips) => {
            let found: Vec<String> = ips.iter().map(ToString::to_string).collect();
            let ours = match ctx.resolver.a(&record.value).await {
                DnsAnswer::Records(web) => web,
                _ => Vec::new(),
            };
            if ips.iter().any(|ip| ours.contains(ip)) {
                RecordCheck::new(record, CheckStatus::Ok).with_found(found)
            } else {
                let problem = format!("{} points to {}, not to this server", record.host, found.join(", "));
                RecordCheck::new(record, CheckStatus::Mismatch).with_found(found).explain(problem, fix)
            }
        }
        DnsAnswer::NoRecords => missing(record, "CNAME or A"),
        other => failed(record, &other),
    }
}

async fn check_tls_rpt(record: ExpectedRecord, ctx: &CheckContext<'_>) -> RecordCheck {
    let answer = ctx.resolver.txt(&record.host).await;
    let DnsAnswer::Records(txt) = &answer else {
        return match answer {
            DnsAnswer::NoRecords => missing(record, "TLS-RPT (TXT)"),
            _ => failed(record, &answer),
        };
    };
    let fix = format!("Publish one TXT record at {}: {}", record.host, record.value);
    let rpt: Vec<String> = txt.iter().filter(|t| is_tls_rpt(t)).cloned().collect();
    match rpt.as_slice() {
        [] => missing(record, "TLS-RPT (TXT v=TLSRPTv1)").with_found(txt.clone()),
        [one] => match TlsRptRecord::parse(one) {
            Ok(_) => RecordCheck::new(record, CheckStatus::Ok).with_found(vec![one.clone()]),
            Err(e) => RecordCheck::new(record, CheckStatus::Invalid)
                .with_found(vec![one.clone()])
                .explain(format!("the TLS-RPT record is invalid: {e}"), fix),
        },
        _ => {
            RecordCheck::new(record, CheckStatus::Invalid).with_found(rpt).explain("more than one TLS-RPT record", fix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_and_trimmed() {
        let tags = parse_tags("v=DKIM1; k=rsa;\tp=AB CD ");
        assert_eq!(tags[2], ("p".to_owned(), "AB CD".to_owned()));
        assert_eq!(tags.len(), 3);
    }
}
