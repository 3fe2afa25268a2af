//! The LMTP side of inbound reports (RFC 2033): Postfix hands every message for the bounce
//! domain to this listener, one reply per recipient after DATA, so a report that cannot be
//! stored right now is retried by Postfix instead of being lost, and one that was stored is
//! never delivered twice.
//!
//! The protocol code knows nothing about bounces: each accepted recipient's copy goes to a
//! [`MessageSink`], whose answer becomes that recipient's reply.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Largest message accepted (reports with the original attached are usually far smaller).
pub const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
/// Recipients per transaction; Postfix sends one per report in practice.
const MAX_RECIPIENTS: usize = 100;
/// Longest command line (RFC 5321 allows 512; parameters make some longer).
const MAX_LINE: usize = 4096;
/// A client that says nothing for this long is dropped.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// What happened to one recipient's copy: the reply Postfix gets for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkReply {
    /// Stored: `250 2.0.0`.
    Accepted(String),
    /// Try again later (database down): `451 4.3.0`.
    Retry(String),
    /// Never acceptable (address not ours): `550 5.1.1`.
    Refused(String),
}

/// Receives each accepted message once per recipient.
pub trait MessageSink: Send + Sync + 'static {
    /// Handles `raw` (the message as received, CRLF line ends) for `rcpt_to`.
    fn deliver(&self, mail_from: &str, rcpt_to: &str, raw: &[u8]) -> impl Future<Output = SinkReply> + Send;
}

/// Serves LMTP on `listener` until `stop` turns true; sessions in progress finish their
/// current transaction.
pub async fn serve<S: MessageSink>(listener: TcpListener, host: String, sink: Arc<S>, mut stop: watch::Receiver<bool>) {
    let host: Arc<str> = host.into();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let (sink, host) = (sink.clone(), host.clone());
                    tokio::spawn(async move {
                        let (read, write) = stream.into_split();
                        if let Err(e) = session(read, write, &host, sink.as_ref()).await {
                            tracing::debug!(%peer, error = %e, "LMTP session ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "LMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => {
                if *stop.borrow() {
                    return;
                }
            }
        }
    }
}

/// The state of one transaction.
#[derive(Default)]
struct Transaction {
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

/// One LMTP session over any byte stream (a TCP connection, or a test's in-memory pipe).
pub async fn session<R, W, S>(read: R, mut write: W, host: &str, sink: &S) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    S: MessageSink,
{
    let mut reader = BufReader::new(read);
    let mut greeted = false;
    let mut tx = Transaction::default();
    let mut line = Vec::with_capacity(256);
    reply(&mut write, &format!("220 {host} LMTP BillionMail ready\r\n")).await?;
    loop {
        line.clear();
        let n = match tokio::time::timeout(IDLE_TIMEOUT, read_line(&mut reader, &mut line, MAX_LINE)).await {
            Ok(r) => r?,
            Err(_) => {
                reply(&mut write, "421 4.4.2 idle for too long\r\n").await?;
                return Ok(());
            }
        };
        if n == 0 {
            return Ok(());
        }
        if line.len() > MAX_LINE {
            reply(&mut write, "500 5.5.6 line too long\r\n").await?;
            continue;
        }
        let Some(text) = std::str::from_utf8(&line).ok().map(|l| l.trim_end_matches(['\r', '\n'])) else {
            reply(&mut write, "500 5.5.2 command is not UTF-8\r\n").await?;
            continue;
        };
        let (verb, args) = text.split_once(' ').unwrap_or((text, ""));
        match verb.to_ascii_uppercase().as_str() {
            "LHLO" => {
                greeted = true;
                tx = Transaction::default();
                let size = MAX_MESSAGE_BYTES;
                reply(
                    &mut write,
                    &format!(
                        "250-{host}\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE {size}\r\n250 SMTPUTF8\r\n"
                    ),
                )
                .await?;
            }
            "HELO" | "EHLO" => reply(&mut write, "500 5.5.1 this is LMTP: say LHLO\r\n").await?,
            "MAIL" => {
                let r = if !greeted {
                    "503 5.5.1 LHLO first\r\n"
                } else if tx.mail_from.is_some() {
                    "503 5.5.1 nested MAIL command\r\n"
                } else {
                    match path_arg(args, "FROM:") {
                        Some(from) => {
                            tx.mail_from = Some(from);
                            "250 2.1.0 sender ok\r\n"
                        }
                        None => "501 5.5.4 syntax: MAIL FROM:<address>\r\n",
                    }
                };
                reply(&mut write, r).await?;
            }
            "RCPT" => {
                let r = if tx.mail_from.is_none() {
                    "503 5.5.1 MAIL first\r\n"
                } else if tx.rcpt_to.len() >= MAX_RECIPIENTS {
                    "452 4.5.3 too many recipients\r\n"
                } else {
                    match path_arg(args, "TO:") {
                        Some(to) if to.contains('@') => {
                            tx.rcpt_to.push(to);
                            "250 2.1.5 recipient ok\r\n"
                        }
                        _ => "501 5.5.4 syntax: RCPT TO:<address>\r\n",
                    }
                };
                reply(&mut write, r).await?;
            }
            "DATA" => {
                if tx.rcpt_to.is_empty() {
                    reply(&mut write, "503 5.5.1 RCPT first\r\n").await?;
                    continue;
                }
                reply(&mut write, "354 end data with <CRLF>.<CRLF>\r\n").await?;
                let data = read_data(&mut reader, MAX_MESSAGE_BYTES).await?;
                let from = tx.mail_from.take().unwrap_or_default();
                let rcpts = std::mem::take(&mut tx.rcpt_to);
                let mut replies = String::new();
                for rcpt in &rcpts {
                    let line = match &data {
                        None => format!("552 5.3.4 message larger than {MAX_MESSAGE_BYTES} bytes\r\n"),
                        Some(raw) => match sink.deliver(&from, rcpt, raw).await {
                            SinkReply::Accepted(t) => format!("250 2.0.0 <{rcpt}> {}\r\n", one_line(&t)),
                            SinkReply::Retry(t) => format!("451 4.3.0 <{rcpt}> {}\r\n", one_line(&t)),
                            SinkReply::Refused(t) => format!("550 5.1.1 <{rcpt}> {}\r\n", one_line(&t)),
                        },
                    };
                    replies.push_str(&line);
                }
                reply(&mut write, &replies).await?;
            }
            "RSET" => {
                tx = Transaction::default();
                reply(&mut write, "250 2.0.0 reset\r\n").await?;
            }
            "NOOP" => reply(&mut write, "250 2.0.0 ok\r\n").await?,
            "VRFY" => reply(&mut write, "252 2.5.0 cannot verify, send it\r\n").await?,
            "QUIT" => {
                reply(&mut write, "221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => reply(&mut write, "500 5.5.2 command not recognised\r\n").await?,
        }
    }
}

async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &str) -> std::io::Result<()> {
    write.write_all(text.as_bytes()).await?;
    write.flush().await
}

/// A reply text on one line (no CR/LF a sink might have put in it).
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Reads one line (through LF) into `out`, keeping at most `limit + 1` bytes so an endless
/// line cannot exhaust memory; returns the bytes consumed (0 at end of stream).
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    out: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = (limit + 1).saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

/// The message after DATA, dot-unstuffed, lines ending in CRLF; `None` if it was larger
/// than `limit` (read to the end anyway so the session stays in step).
async fn read_data<R: AsyncRead + Unpin>(reader: &mut BufReader<R>, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::with_capacity(16 * 1024);
    let mut too_big = false;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        let n = read_line(reader, &mut line, usize::MAX - 1).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed in DATA"));
        }
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if body == b"." {
            return Ok((!too_big).then_some(data));
        }
        if too_big {
            continue;
        }
        let body = body.strip_prefix(b".").unwrap_or(body);
        if data.len() + body.len() + 2 > limit {
            too_big = true;
            data = Vec::new();
            continue;
        }
        data.extend_from_slice(body);
        data.extend_from_slice(b"\r\n");
    }
}

/// The address of `MAIL FROM:<a> params` / `RCPT TO:<a> params` (`prefix` = "FROM:"/"TO:"),
/// without the brackets; "" for the null sender.
fn path_arg(args: &str, prefix: &str) -> Option<String> {
    let head = args.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = args.get(prefix.len()..)?.trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let addr = rest.get(..end)?.trim();
    // Source routes (`<@a,@b:user@c>`) are obsolete; keep the mailbox.
    let addr = addr.rsplit_once(':').filter(|_| addr.starts_with('@')).map_or(addr, |(_, a)| a);
    Some(addr.to_owned())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<(String, String, Vec<u8>)>>);

    impl MessageSink for Recorder {
        async fn deliver(&self, mail_from: &str, rcpt_to: &str, raw: &[u8]) -> SinkReply {
            self.0.lock().map(|mut v| v.push((mail_from.into(), rcpt_to.into(), raw.to_vec()))).ok();
            if rcpt_to.starts_with("retry") {
                SinkReply::Retry("database unavailable".into())
            } else if rcpt_to.starts_with("nobody") {
                SinkReply::Refused("not ours".into())
            } else {
                SinkReply::Accepted("stored".into())
            }
        }
    }

    async fn converse(input: &str) -> (String, Vec<(String, String, Vec<u8>)>) {
        let sink = Recorder::default();
        let mut out = Vec::new();
        session(input.as_bytes(), &mut out, "lmtp.test", &sink).await.ok();
        let got = sink.0.lock().map(|v| v.clone()).unwrap_or_default();
        (String::from_utf8_lossy(&out).into_owned(), got)
    }

    #[tokio::test]
    async fn one_reply_per_recipient_after_data_with_dot_unstuffing() {
        let (out, got) = converse(
            "LHLO postfix\r\nMAIL FROM:<>\r\nRCPT TO:<bounce+abc@b.test>\r\nRCPT TO:<retry@b.test>\r\n\
             RCPT TO:<nobody@b.test>\r\nDATA\r\nSubject: x\r\n\r\n..leading dot\r\nbody\r\n.\r\nQUIT\r\n",
        )
        .await;
        assert!(out.starts_with("220 lmtp.test"), "{out}");
        assert!(out.contains("250-PIPELINING"), "{out}");
        assert!(out.contains("250 2.0.0 <bounce+abc@b.test> stored"), "{out}");
        assert!(out.contains("451 4.3.0 <retry@b.test> database unavailable"), "{out}");
        assert!(out.contains("550 5.1.1 <nobody@b.test> not ours"), "{out}");
        assert!(out.ends_with("221 2.0.0 bye\r\n"), "{out}");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, "");
        assert_eq!(got[0].2, b"Subject: x\r\n\r\n.leading dot\r\nbody\r\n");
    }

    #[tokio::test]
    async fn commands_out_of_order_are_refused() {
        let (out, got) =
            converse("MAIL FROM:<a@b.test>\r\nEHLO x\r\nLHLO x\r\nRCPT TO:<a@b.test>\r\nDATA\r\nQUIT\r\n").await;
        assert!(out.contains("503 5.5.1 LHLO first"), "{out}");
        assert!(out.contains("500 5.5.1 this is LMTP"), "{out}");
        assert!(out.contains("503 5.5.1 MAIL first"), "{out}");
        assert!(out.contains("503 5.5.1 RCPT first"), "{out}");
        assert!(got.is_empty());
    }

    #[tokio::test]
    async fn bare_lf_clients_and_rset_work() {
        let (out, got) = converse(
            "LHLO x\nMAIL FROM:<a@b.test> SIZE=10\nRSET\nMAIL FROM:<c@d.test>\nRCPT TO:<e@f.test> NOTIFY=NEVER\nDATA\nhi\n.\nQUIT\n",
        )
        .await;
        assert!(out.contains("250 2.0.0 reset"), "{out}");
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("c@d.test", "e@f.test"));
        assert_eq!(got[0].2, b"hi\r\n");
    }

    #[tokio::test]
    async fn an_endless_line_is_refused_without_storing_it() {
        let long = format!("NOOP {}\r\nQUIT\r\n", "x".repeat(MAX_LINE * 3));
        let (out, _) = converse(&long).await;
        assert!(out.contains("500 5.5.6 line too long"), "{out}");
        assert!(out.ends_with("221 2.0.0 bye\r\n"), "{out}");
    }

    #[test]
    fn paths_are_read_from_mail_and_rcpt_arguments() {
        assert_eq!(path_arg("FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(path_arg("from: <A@b.test> BODY=8BITMIME", "FROM:").as_deref(), Some("A@b.test"));
        assert_eq!(path_arg("TO:<@relay:u@d.test>", "TO:").as_deref(), Some("u@d.test"));
        assert_eq!(path_arg("TO:u@d.test", "TO:"), None);
        assert_eq!(path_arg("FROM:<x", "FROM:"), None);
    }
}
