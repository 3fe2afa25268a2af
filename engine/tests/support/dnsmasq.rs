//! A real DNS server for tests: Debian's dnsmasq on a loopback port, serving a zone the test
//! writes. `None` when dnsmasq is not installed and CI is not set (a developer machine);
//! under CI a missing dnsmasq fails the test.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Root trust anchor: makes the validating instance of the SERVFAIL chain reject unsigned
/// answers (see `Dnsmasq::with_servfail`).
const ROOT_ANCHOR: &str = ".,20326,8,2,E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";

/// Running dnsmasq instances; killed on drop.
pub struct Dnsmasq {
    children: Vec<Child>,
    pub port: u16,
    dir: PathBuf,
}

pub fn binary() -> Option<&'static str> {
    ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].into_iter().find(|p| std::path::Path::new(p).exists())
}

/// True when the test must be skipped (no dnsmasq, not CI); panics under CI.
pub fn unavailable() -> bool {
    if binary().is_some() {
        return false;
    }
    if std::env::var_os("CI").is_some() {
        panic!("dnsmasq is not installed (apt-get install dnsmasq-base); `.ci/setup --tests` installs it");
    }
    eprintln!("skipped: dnsmasq is not installed");
    true
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

fn spawn(dir: &std::path::Path, name: &str, conf: &str, port: u16) -> Child {
    let path = dir.join(format!("{name}.conf"));
    std::fs::write(&path, conf).expect("write dnsmasq conf");
    let mut cmd = Command::new(binary().expect("dnsmasq"));
    cmd.arg("--keep-in-foreground")
        .arg(format!("--conf-file={}", path.display()))
        .arg(format!("--port={port}"))
        .args(["--listen-address=127.0.0.1", "--bind-interfaces", "--no-hosts", "--no-resolv", "--no-poll"])
        .args(["--pid-file", "--log-facility=-"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // As root dnsmasq would switch to its own user; stay as we are.
    if unsafe_is_root() {
        cmd.arg("--user=root");
    }
    let child = cmd.spawn().expect("start dnsmasq");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "dnsmasq did not start on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn unsafe_is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || std::fs::read_to_string("/proc/self/status")
            .map(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
            .unwrap_or(false)
}

impl Dnsmasq {
    /// Starts dnsmasq with `records` (dnsmasq config lines).
    pub fn start(records: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("bm-dnsmasq-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let port = free_port();
        let child = spawn(&dir, "main", records, port);
        Self { children: vec![child], port, dir }
    }

    /// Starts dnsmasq where every name under `servfail_zone` answers SERVFAIL: the main
    /// instance forwards that zone to a DNSSEC-validating instance, whose upstream serves it
    /// unsigned, so validation fails and SERVFAIL comes back — a real server failure, not a
    /// simulated one.
    pub fn with_servfail(records: &str, servfail_zone: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("bm-dnsmasq-{}-{}", std::process::id(), rand_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (up, sf, main) = (free_port(), free_port(), free_port());
        let upstream = spawn(&dir, "up", &format!("local=/{servfail_zone}/\n"), up);
        let validating = spawn(&dir, "sf", &format!("dnssec\ntrust-anchor={ROOT_ANCHOR}\nserver=127.0.0.1#{up}\n"), sf);
        let conf = format!("{records}\nserver=/{servfail_zone}/127.0.0.1#{sf}\n");
        let main_child = spawn(&dir, "main", &conf, main);
        Self { children: vec![main_child, validating, upstream], port: main, dir }
    }

    /// Replaces the records (dnsmasq re-reads its config only on restart).
    pub fn restart(&mut self, records: &str) {
        if let Some(mut main) = self.children.first_mut().map(|c| std::mem::replace(c, dummy())) {
            let _ = main.kill();
            let _ = main.wait();
        }
        let child = spawn(&self.dir, "main", records, self.port);
        self.children[0] = child;
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }
}

fn dummy() -> Child {
    Command::new("true").spawn().expect("spawn true")
}

fn rand_suffix() -> u64 {
    use std::time::SystemTime;
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One `txt-record=` line; the value is quoted so commas and semicolons stay in one string.
pub fn txt(name: &str, value: &str) -> String {
    format!("txt-record={name},\"{}\"\n", value.replace('"', "\\\""))
}
