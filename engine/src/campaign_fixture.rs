//! A sendable campaign built from scratch — sender domain with a DKIM key, a list of
//! machine-generated contacts, a personalised ~20 KB newsletter — and Postfix's `smtp-sink`
//! as the relay: what the sending tests and the send benchmark (`cargo bench -p engine
//! --bench send`) start from, so both measure the same thing.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use model::campaigns::{AudienceSpec, CampaignInput};
use model::deliverability::DkimAlgorithm;
use sqlx::PgPool;

use crate::campaigns::smtp_session::{RelaySecurity, RelayTarget};
use crate::campaigns::{Campaigns, SendEngineConfig, SenderSettings};
use crate::mail::DkimKeys;

/// Where Debian's postfix package puts `smtp-sink` and `smtp-source`.
pub const SMTP_SINK: &str = "/usr/sbin/smtp-sink";
pub const SMTP_SOURCE: &str = "/usr/sbin/smtp-source";

/// A running `smtp-sink` on a loopback port; killed when dropped.
pub struct SmtpSink {
    child: tokio::process::Child,
    pub port: u16,
}

impl SmtpSink {
    /// `smtp-sink -c [-u nobody] OPTIONS 127.0.0.1:PORT 1024`, or `None` when Postfix is not
    /// installed (callers skip). `-u` is required as root and refused otherwise.
    pub async fn start(options: &[&str]) -> Option<Self> {
        Self::start_on(free_port(), options).await
    }

    /// As [`start`](Self::start), on a given port (a relay that comes back on its address).
    pub async fn start_on(port: u16, options: &[&str]) -> Option<Self> {
        if !Path::new(SMTP_SINK).exists() {
            eprintln!("skipping: {SMTP_SINK} is not installed (Debian package postfix)");
            return None;
        }
        let mut command = tokio::process::Command::new(SMTP_SINK);
        command.arg("-c");
        if running_as_root() {
            command.args(["-u", "nobody"]);
        }
        let child = command
            .args(options)
            .arg(format!("127.0.0.1:{port}"))
            .arg("1024")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .ok()?;
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Some(Self { child, port });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        None
    }

    /// The sink's process id (for CPU accounting in the benchmark).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// The tracking origin and bounce domain the tests' messages use.
pub fn sender_settings() -> SenderSettings {
    SenderSettings { public_url: "https://bm.example.test".into(), bounce_domain: "bounce.bm-test.example".into() }
}

/// Plain SMTP to a relay on loopback `port` (smtp-sink).
pub fn loopback_relay(port: u16) -> RelayTarget {
    RelayTarget {
        host: "127.0.0.1".into(),
        port,
        security: RelaySecurity::None,
        username: None,
        password: None,
        helo_name: "bm.example.test".into(),
        timeout: Duration::from_secs(10),
    }
}

/// An engine relaying to loopback `port` in batches of `batch`, looking for work every 200 ms
/// (tests would wait a second per step with the default).
pub fn engine_config(port: u16, batch: usize) -> SendEngineConfig {
    let mut c = SendEngineConfig::new(sender_settings(), loopback_relay(port));
    c.poll = Duration::from_millis(200);
    c.batch_size = batch;
    c
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

/// Whether this process runs as root (smtp-sink then needs `-u`).
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A directory smtp-sink can write dumps to after dropping to `nobody`.
pub fn dump_dir(name: &str) -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("bm-sink-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777))?;
    Ok(dir)
}

/// Adds mail domain `domain` with one active DKIM key of `algorithm`.
pub async fn sender_domain(pool: &PgPool, domain: &str, algorithm: DkimAlgorithm) -> Result<(), crate::EngineError> {
    let key = DkimKeys::generate_with(algorithm, &[])
        .await
        .map_err(|e| crate::EngineError::Io(std::io::Error::other(e.to_string())))?;
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar("INSERT INTO mail_domain (name) VALUES ($1) RETURNING id")
        .bind(domain)
        .fetch_one(&mut *tx)
        .await?;
    DkimKeys::store(&mut tx, id, &key)
        .await
        .map_err(|e| crate::EngineError::Io(std::io::Error::other(e.to_string())))?;
    tx.commit().await?;
    Ok(())
}

/// A list named `name` with `count` subscribed contacts `user<N>@<domain>` (names and a
/// `plan` attribute to merge); returns the list id.
pub async fn audience(pool: &PgPool, name: &str, count: i64, domain: &str) -> Result<i64, sqlx::Error> {
    let list: i64 = sqlx::query_scalar("INSERT INTO contact_list (name) VALUES ($1) RETURNING id")
        .bind(name)
        .fetch_one(pool)
        .await?;
    sqlx::query(
        "INSERT INTO contact (email, name, attributes) \
         SELECT 'user' || g || '@' || $2, 'User ' || g || ' Example', jsonb_build_object('plan', 'pro', 'seats', g % 7) \
         FROM generate_series(1, $1) g ON CONFLICT (email) DO NOTHING",
    )
    .bind(count)
    .bind(domain)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO list_membership (list_id, contact_id, status, consent_source) \
         SELECT $1, id, 'subscribed', 'fixture' FROM contact WHERE email LIKE '%@' || $2",
    )
    .bind(list)
    .bind(domain)
    .execute(pool)
    .await?;
    Ok(list)
}

/// A newsletter of about `target_bytes` of HTML: a greeting and a plan line merged per
/// recipient, ten distinct links (tracked), repeated article blocks, and the unsubscribe link.
pub fn newsletter_html(target_bytes: usize) -> String {
    let mut html = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>News</title></head><body style=\"margin:0\">\
         <table width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td style=\"padding:24px;font-family:Arial\">\
         <h1 style=\"font-size:24px\">Hello {{ first_name | default: \"there\" }},</h1>\
         <p>Your {{ plan }} plan has {{ seats }} seats. Here is what happened this month.</p>",
    );
    let mut i = 0;
    while html.len() + 400 < target_bytes {
        html.push_str(&format!(
            "<h2 style=\"font-size:18px;margin:24px 0 8px\">Story {i}: shipping faster with fewer surprises</h2>\
             <p style=\"line-height:1.5;color:#333\">We rebuilt the pipeline so every change lands in minutes, \
             measured the results for a month and wrote down what we learned, including the parts that did \
             not work. Read the full write-up for the numbers.</p>\
             <p><a href=\"https://www.example.com/blog/story-{}?utm_source=newsletter&amp;utm_medium=email\" \
             style=\"color:#2563eb\">Read story {i}</a></p>",
            i % 10
        ));
        i += 1;
    }
    html.push_str(
        "<p style=\"font-size:12px;color:#666\">Example Ltd · 1 Market Street · Springfield<br>\
         <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p></td></tr></table></body></html>",
    );
    html
}

/// A draft campaign from `from` to `list_id` with [`newsletter_html`] content; returns its id.
pub async fn campaign(
    pool: &PgPool,
    list_id: i64,
    from: &str,
    html_bytes: usize,
) -> Result<i64, crate::campaigns::CampaignError> {
    let input = CampaignInput {
        name: format!("Fixture newsletter {list_id}"),
        from_name: "Example News".into(),
        from_email: from.into(),
        reply_to: String::new(),
        subject: "{{ first_name }}, your monthly update".into(),
        preheader: "Five stories and one number worth knowing".into(),
        template_id: None,
        document: None,
        html: Some(newsletter_html(html_bytes)),
        audience: AudienceSpec { list_ids: vec![list_id], ..Default::default() },
        track_opens: true,
        track_clicks: true,
        rate_per_minute: 0,
    };
    Ok(Campaigns::new(pool.clone()).create(&input).await?.id)
}
