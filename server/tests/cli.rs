//! The `billionmail` binary as an operator uses it: CLI commands, and the embedded
//! PostgreSQL default started and stopped by `serve`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use engine::testing::TestDatabase;

const BIN: &str = env!("CARGO_BIN_EXE_billionmail");

fn billionmail(database_url: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("BM_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run billionmail");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn help_lists_every_command() {
    let out = Command::new(BIN).arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "migrate", "admin", "postgres"] {
        assert!(help.contains(cmd), "--help lacks {cmd}: {help}");
    }
    let out = Command::new(BIN).args(["admin", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("create") && help.contains("reset-password"), "{help}");
}

#[tokio::test]
async fn admin_commands_create_and_reset_accounts() {
    let t = TestDatabase::create().await;
    let (ok, out) = billionmail(&t.url, &["migrate"], "");
    assert!(ok && out.contains("up to date"), "{out}");
    let (ok, out) = billionmail(&t.url, &["admin", "create", "Ops", "--password-stdin"], "Harbor-Lights-2026\n");
    assert!(ok && out.contains("admin ops created"), "{out}");
    let (ok, out) = billionmail(&t.url, &["admin", "create", "weak", "--password-stdin"], "short\n");
    assert!(!ok && out.contains("at least 12 characters"), "{out}");
    let (ok, out) = billionmail(&t.url, &["admin", "create", "ops", "--password-stdin"], "Harbor-Lights-2026\n");
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = billionmail(&t.url, &["admin", "reset-password", "ops", "--password-stdin"], "New-Lights-2027!\n");
    assert!(ok && out.contains("sessions were ended"), "{out}");
    let (ok, out) =
        billionmail(&t.url, &["admin", "reset-password", "nobody", "--password-stdin"], "New-Lights-2027!\n");
    assert!(!ok && out.contains("no admin named"), "{out}");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM admins WHERE username = 'ops'")
        .fetch_one(&t.db.pool)
        .await
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}

#[test]
fn bad_configuration_is_reported_with_its_key() {
    let out = Command::new(BIN).arg("migrate").env("BM_LISTEN", "not-an-address").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BM_LISTEN"));
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).ok();
    out
}

/// Without DATABASE_URL the server creates its own cluster, serves, and on SIGTERM stops
/// both itself and the cluster.
#[test]
fn embedded_postgres_lifecycle() {
    let dir = std::env::temp_dir().join(format!("bm-embedded-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log = dir.join("server.log");
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("BM_DATA_DIR", dir.join("data"))
        .env("BM_LISTEN", "127.0.0.1:0")
        .env("BM_LOG", "info")
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("start serve");
    let deadline = Instant::now() + Duration::from_secs(90);
    let addr = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(i) = text.find("http://127.0.0.1:") {
            let rest = &text[i + 7..];
            break rest[..rest.find('/').unwrap_or(rest.len())].to_owned();
        }
        assert!(Instant::now() < deadline, "server did not start:\n{text}");
        assert!(child.try_wait().expect("poll").is_none(), "server exited:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"mode\":\"embedded\""), "{health}");
    let pid_file = dir.join("data/postgres/postmaster.pid");
    assert!(pid_file.exists(), "cluster running");
    assert!(std::fs::read_to_string(dir.join("data/postgres/postgresql.auto.conf")).is_ok());

    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    let status = child.wait().expect("wait");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "exit {status}:\n{text}");
    assert!(text.contains("embedded PostgreSQL stopped"), "{text}");
    assert!(!pid_file.exists(), "cluster stopped");
    std::fs::remove_dir_all(&dir).ok();
}
