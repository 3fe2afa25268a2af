//! Submits campaign mail to the relay (the bundled Postfix or an external smarthost) over one SMTP
//! connection, fast, and with an exact record of what the relay answered for every message.
//!
//! Why not lettre's `send()`: the product fixes lettre as the SMTP client, but its transport does
//! one round trip per command and cannot ask for delivery status notifications. A campaign pushes
//! tens of thousands of messages a minute through the relay and needs, per recipient, the reply the
//! relay gave and a DSN that names the ledger entry. So this module drives lettre's low-level
//! [`AsyncSmtpConnection`] itself:
//!
//! - RFC 2920 pipelining: MAIL, RCPT and DATA go out in one write; after the 354, the message, its
//!   end-of-data dot and the next message's MAIL, RCPT and DATA go out in one write, so each message
//!   costs one round trip. Message data is never sent before the 354 arrived.
//! - RFC 3461 DSN: `RET=HDRS ENVID=` on MAIL and `NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=` on RCPT, when
//!   the relay offers DSN, so bounces and delivery reports can be matched to the ledger.
//! - Every message gets an outcome (accepted, deferred, rejected) carrying the reply code, enhanced
//!   status code and text. A 421, a dropped connection or a timeout breaks the session; the caller
//!   re-queues the messages that have no outcome.
//!
//! Limits of lettre's public API, and how they are met:
//!
//! - `ServerInfo` drops the EHLO keywords it does not know (PIPELINING, DSN, SIZE), so the session
//!   sends one EHLO of its own after connecting (and after STARTTLS) and reads the reply lines.
//! - A negative reply comes back as an `Error`: its code is `status()` and its text is the error's
//!   `source()`, which lettre builds from the reply lines joined with spaces (an enhanced status code
//!   repeated on every line is kept once). Positive replies are joined the same way here so stored
//!   texts look alike; the line breaks of a multi-line reply are lost either way.
//! - `command()` writes the `to_string()` of a `Display`, so a payload must be UTF-8 and is copied
//!   once more. A message that is not UTF-8 goes through lettre's `message()` instead, which costs
//!   that message one extra round trip.
//! - The connection has no I/O timeout of its own (lettre's covers the TCP connect only), so every
//!   step here runs under `tokio::time::timeout`; a step that times out breaks the session.

use std::error::Error as _;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use lettre::transport::smtp::Error as LettreError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Auth, Ehlo};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;

/// A session keeps its write buffer between batches; one grown past this by a huge message is
/// released so an idle session does not hold it.
const KEEP_BUFFER_BYTES: usize = 4 << 20;

/// AUTH LOGIN needs two challenges; a relay asking for more than this is not answered further.
const MAX_AUTH_CHALLENGES: usize = 10;

/// How the connection to the relay is secured, as chosen in the relay settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelaySecurity {
    /// Plain SMTP: for the bundled Postfix on the private network.
    None,
    /// Plain connect, then STARTTLS; the session fails when the relay does not offer it.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// Where and how to submit: one relay, from the settings.
#[derive(Clone)]
pub struct RelayTarget {
    /// Host name or address of the relay; also the name its TLS certificate must carry.
    pub host: String,
    /// TCP port (25, 587 or 465 usually).
    pub port: u16,
    /// Transport security; TLS certificates are always verified.
    pub security: RelaySecurity,
    /// Login name; `None` or empty skips AUTH.
    pub username: Option<String>,
    /// Login secret for `username`.
    pub password: Option<String>,
    /// EHLO name
    pub helo_name: String,
    /// Limit for each step (connect, each write with its reply); a step over it breaks the session.
    pub timeout: Duration,
}

/// Written by hand so that logging a target never prints the password.
impl fmt::Debug for RelayTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("helo_name", &self.helo_name)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One message to submit: one transaction with one recipient, so every reply belongs to exactly
/// one ledger entry.
#[derive(Clone, Copy, Debug)]
pub struct Submission<'a> {
    /// Envelope sender (the bounce address); empty for the null sender.
    pub mail_from: &'a str,
    /// Envelope recipient.
    pub rcpt_to: &'a str,
    /// ledger id, sent as ENVID and in ORCPT context
    pub envid: &'a str,
    /// complete message, CRLF line endings; the writer guarantees no line starts with "." but dot-stuff anyway for safety
    pub message: &'a [u8],
}

/// The relay's reply to one message, stored per recipient so the operator sees exactly what the
/// relay said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpReply {
    /// Reply code, e.g. 250 or 550.
    pub code: u16,
    /// enhanced status "5.1.1" when the text starts with one
    pub enhanced: Option<String>,
    /// Reply text after the code (starting with the enhanced status code, if any); the lines of a
    /// multi-line reply are joined with spaces.
    pub text: String,
}

impl SmtpReply {
    fn new(code: u16, text: String) -> Self {
        let enhanced = enhanced_code(code, &text).map(str::to_owned);
        Self { code, enhanced, text }
    }
}

/// "550 5.1.1 text", as the relay sent it, for logs and error messages.
impl fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() { write!(f, "{}", self.code) } else { write!(f, "{} {}", self.code, self.text) }
    }
}

/// What became of one submission, decided by the relay's final reply for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// The relay took responsibility for the message (2xx after the message data).
    Accepted(SmtpReply),
    /// 4xx: try again later
    Deferred(SmtpReply),
    /// 5xx: do not retry
    Rejected(SmtpReply),
}

/// Result of a batch: outcomes for the first `outcomes.len()` submissions in order; when `broken` is Some the connection failed and the rest were not (or not knowingly) submitted — the caller re-queues them and drops the session.
#[derive(Debug)]
pub struct BatchResult {
    /// One outcome per submission, in batch order, for a prefix of the batch.
    pub outcomes: Vec<SubmitOutcome>,
    /// Why the session broke, when it did; the session takes no more work then.
    pub broken: Option<SmtpSessionError>,
}

/// Why a relay connection could not be made or could not go on.
#[derive(Debug, thiserror::Error)]
pub enum SmtpSessionError {
    /// TCP, TLS, greeting or STARTTLS failed: the relay settings or the network are wrong.
    #[error("cannot connect to the relay {host}:{port}: {reason}")]
    Connect {
        /// The relay host, as configured.
        host: String,
        /// The relay port, as configured.
        port: u16,
        /// What went wrong, for the operator.
        reason: String,
    },
    /// The credentials were refused, or no login method fits.
    #[error("the relay refused the login: {0}")]
    Auth(String),
    /// The relay closed the connection, sent a 421 or an unreadable or unexpected reply.
    #[error("the relay {0}")]
    Protocol(String),
    /// A step took longer than the configured timeout.
    #[error("the relay connection timed out")]
    Timeout,
}

/// One open, logged-in connection to the relay that submits batches until it breaks or is closed.
pub struct RelaySession {
    conn: AsyncSmtpConnection,
    timeout: Duration,
    caps: Capabilities,
    /// A transaction was left open by a refusal after MAIL was accepted: RSET before the next MAIL.
    needs_rset: bool,
    /// The connection failed: its state is unknown and nothing more may be written.
    broken: bool,
    /// Reused for every write so a message is not allocated anew each time.
    buf: Vec<u8>,
}

impl RelaySession {
    /// Connects, STARTTLS/TLS as configured (TLS verification on), AUTH when username is set (PLAIN then LOGIN, as the server offers), learns DSN/PIPELINING/SIZE from EHLO.
    pub async fn connect(target: &RelayTarget) -> Result<Self, SmtpSessionError> {
        let wait = target.timeout;
        let client_id = client_id(&target.helo_name);
        let refused =
            |reason: String| SmtpSessionError::Connect { host: target.host.clone(), port: target.port, reason };
        let tls = |purpose: &str| {
            TlsParameters::new(target.host.clone()).map_err(|e| refused(format!("cannot set up {purpose}: {e}")))
        };

        let wrapper = match target.security {
            RelaySecurity::Tls => Some(tls("TLS")?),
            RelaySecurity::None | RelaySecurity::StartTls => None,
        };
        let connecting = AsyncSmtpConnection::connect_tokio1(
            (target.host.as_str(), target.port),
            Some(wait),
            &client_id,
            wrapper,
            None,
        );
        let mut conn = match tokio::time::timeout(wait, connecting).await {
            Err(_) => return Err(SmtpSessionError::Timeout),
            Ok(Err(e)) if e.is_timeout() => return Err(SmtpSessionError::Timeout),
            Ok(Err(e)) => return Err(refused(e.to_string())),
            Ok(Ok(conn)) => conn,
        };

        if target.security == RelaySecurity::StartTls {
            if !conn.can_starttls() {
                return Err(refused("the relay does not offer STARTTLS".into()));
            }
            match tokio::time::timeout(wait, conn.starttls(tls("STARTTLS")?, &client_id)).await {
                Err(_) => return Err(SmtpSessionError::Timeout),
                Ok(Err(e)) => return Err(refused(format!("STARTTLS failed: {e}"))),
                Ok(Ok(())) => {}
            }
        }

        // lettre keeps only the EHLO keywords it knows; ask again to read them all.
        let caps = match tokio::time::timeout(wait, conn.command(Ehlo::new(client_id))).await {
            Err(_) => return Err(SmtpSessionError::Timeout),
            Ok(Ok(response)) => Capabilities::parse(&response),
            Ok(Err(e)) => {
                return Err(match reply_from_error(&e) {
                    Some(reply) => SmtpSessionError::Protocol(format!("refused EHLO: {reply}")),
                    None => failure(&e),
                });
            }
        };

        if let Some(user) = target.username.as_deref().filter(|user| !user.is_empty()) {
            let password = target.password.as_deref().unwrap_or_default();
            if let Err(e) = authenticate(&mut conn, wait, &caps, user, password).await {
                if matches!(e, SmtpSessionError::Auth(_)) {
                    // Polite QUIT; the connection is dropped either way.
                    let _ = tokio::time::timeout(wait, conn.abort()).await;
                }
                return Err(e);
            }
        }

        Ok(Self { conn, timeout: wait, caps, needs_rset: false, broken: false, buf: Vec::new() })
    }

    /// Whether MAIL and RCPT carry DSN parameters, so the caller knows whether delivery reports
    /// will come back for this relay.
    pub fn supports_dsn(&self) -> bool {
        self.caps.dsn
    }

    /// Whether batches go one round trip per message (otherwise one per command).
    pub fn supports_pipelining(&self) -> bool {
        self.caps.pipelining
    }

    /// Submits the batch in order, one transaction per submission.
    pub async fn send_batch(&mut self, batch: &[Submission<'_>]) -> BatchResult {
        let mut outcomes = Vec::with_capacity(batch.len());
        if self.broken {
            let error = SmtpSessionError::Protocol("connection is broken from an earlier failure".into());
            return BatchResult { outcomes, broken: Some(error) };
        }
        let result = if self.caps.pipelining {
            self.send_pipelined(batch, &mut outcomes).await
        } else {
            self.send_in_turn(batch, &mut outcomes).await
        };
        if self.buf.capacity() > KEEP_BUFFER_BYTES {
            self.buf = Vec::new();
        }
        let broken = result.err();
        if let Some(error) = &broken {
            self.broken = true;
            tracing::debug!(%error, submitted = outcomes.len(), "relay session broke");
        }
        BatchResult { outcomes, broken }
    }

    /// Polite QUIT; errors ignored.
    pub async fn quit(mut self) {
        if !self.broken {
            let _ = tokio::time::timeout(self.timeout, self.conn.quit()).await;
        }
    }

    /// Whether the connection can take more work (not broken).
    pub fn is_usable(&self) -> bool {
        !self.broken
    }

    /// RFC 2920: each write carries the previous message's data and end-of-data dot (after its
    /// 354), an RSET when a refused transaction is still open, and the next MAIL, RCPT and DATA;
    /// the replies are then read in the order of the commands.
    async fn send_pipelined(
        &mut self,
        batch: &[Submission<'_>],
        outcomes: &mut Vec<SubmitOutcome>,
    ) -> Result<(), SmtpSessionError> {
        let mut next = 0;
        let mut body = Body::None;
        loop {
            // Submissions refused without asking the relay; recorded after the pending message's
            // outcome to keep the order.
            let refused_from = next;
            while next < batch.len() && local_refusal(&batch[next], &self.caps).is_some() {
                next += 1;
            }
            let refused = &batch[refused_from..next];
            let envelope = if next < batch.len() {
                next += 1;
                Some(next - 1)
            } else {
                None
            };
            if matches!(body, Body::None) && envelope.is_none() {
                push_refusals(refused, &self.caps, outcomes);
                return Ok(());
            }

            self.buf.clear();
            let lettre_body = match body {
                Body::Message(i) => push_body(&mut self.buf, batch[i].message),
                Body::Discard => {
                    self.buf.extend_from_slice(b".\r\n");
                    None
                }
                Body::None => None,
            };
            let rset = self.needs_rset && envelope.is_some();
            if rset {
                self.buf.extend_from_slice(b"RSET\r\n");
            }
            if let Some(i) = envelope {
                push_mail(&mut self.buf, &batch[i], &self.caps);
                push_rcpt(&mut self.buf, &batch[i], &self.caps);
                self.buf.extend_from_slice(b"DATA\r\n");
            }
            let mut flight = Flight::new(&mut self.conn, &self.buf, self.timeout, lettre_body);

            match body {
                Body::Message(i) => {
                    debug_assert_eq!(outcomes.len(), i);
                    let reply = flight.reply().await?;
                    outcomes.push(final_outcome(reply)?);
                }
                // The end of an empty message sent only to close a refused transaction.
                Body::Discard => {
                    flight.reply().await?;
                }
                Body::None => {}
            }
            push_refusals(refused, &self.caps, outcomes);
            if rset {
                expect_completion("RSET", flight.reply().await?)?;
                self.needs_rset = false;
            }

            body = Body::None;
            let Some(i) = envelope else { continue };
            debug_assert_eq!(outcomes.len(), i);
            // Every command of the group gets a reply, also after an earlier one failed.
            let mail = flight.reply().await?;
            let mut settled = false;
            match mail.code / 100 {
                2 => {}
                4 | 5 => {
                    outcomes.push(refusal(mail));
                    settled = true;
                }
                _ => return Err(unexpected("MAIL", &mail)),
            }
            let rcpt = flight.reply().await?;
            if !settled {
                match rcpt.code / 100 {
                    2 => {}
                    4 | 5 => {
                        outcomes.push(refusal(rcpt));
                        settled = true;
                        self.needs_rset = true;
                    }
                    _ => return Err(unexpected("RCPT", &rcpt)),
                }
            }
            let data = flight.reply().await?;
            if data.code == 354 {
                if settled {
                    // RFC 2920 3.1: the relay wants data although the transaction failed; a lone
                    // dot ends it, and ending it also clears it.
                    body = Body::Discard;
                    self.needs_rset = false;
                } else {
                    body = Body::Message(i);
                }
            } else if !settled {
                if !matches!(data.code / 100, 4 | 5) {
                    return Err(unexpected("DATA", &data));
                }
                outcomes.push(refusal(data));
                self.needs_rset = true;
            }
        }
    }

    /// Without PIPELINING: one command per round trip, nothing sent after a refusal but RSET.
    async fn send_in_turn(
        &mut self,
        batch: &[Submission<'_>],
        outcomes: &mut Vec<SubmitOutcome>,
    ) -> Result<(), SmtpSessionError> {
        let wait = self.timeout;
        for submission in batch {
            if let Some(reply) = local_refusal(submission, &self.caps) {
                outcomes.push(SubmitOutcome::Rejected(reply));
                continue;
            }
            if self.needs_rset {
                expect_completion("RSET", send_bytes(&mut self.conn, b"RSET\r\n", wait).await?)?;
                self.needs_rset = false;
            }

            self.buf.clear();
            push_mail(&mut self.buf, submission, &self.caps);
            let mail = send_bytes(&mut self.conn, &self.buf, wait).await?;
            match mail.code / 100 {
                2 => {}
                4 | 5 => {
                    outcomes.push(refusal(mail));
                    continue;
                }
                _ => return Err(unexpected("MAIL", &mail)),
            }

            self.buf.clear();
            push_rcpt(&mut self.buf, submission, &self.caps);
            let rcpt = send_bytes(&mut self.conn, &self.buf, wait).await?;
            match rcpt.code / 100 {
                2 => {}
                4 | 5 => {
                    outcomes.push(refusal(rcpt));
                    self.needs_rset = true;
                    continue;
                }
                _ => return Err(unexpected("RCPT", &rcpt)),
            }

            let data = send_bytes(&mut self.conn, b"DATA\r\n", wait).await?;
            if data.code != 354 {
                if !matches!(data.code / 100, 4 | 5) {
                    return Err(unexpected("DATA", &data));
                }
                outcomes.push(refusal(data));
                self.needs_rset = true;
                continue;
            }

            self.buf.clear();
            let lettre_body = push_body(&mut self.buf, submission.message);
            let reply = Flight::new(&mut self.conn, &self.buf, wait, lettre_body).reply().await?;
            outcomes.push(final_outcome(reply)?);
        }
        Ok(())
    }
}

/// "Test connection" button of the relay settings: connect, EHLO, optional AUTH, QUIT, returning what the server offers (e.g. "PIPELINING, DSN, SIZE 10240000, STARTTLS").
///
/// The list is the relay's EHLO keywords as it spells them, joined with ", " (empty when it
/// offers none); after STARTTLS it is what the relay offers on the encrypted connection.
pub async fn test_relay(target: &RelayTarget) -> Result<String, SmtpSessionError> {
    let session = RelaySession::connect(target).await?;
    let offered = session.caps.offered.join(", ");
    session.quit().await;
    Ok(offered)
}

/// What the next write of a pipelined batch starts with.
#[derive(Clone, Copy)]
enum Body {
    /// Nothing: no DATA was accepted in the previous group.
    None,
    /// The message of this submission, whose DATA got its 354.
    Message(usize),
    /// A lone dot, ending a transaction whose DATA got a 354 although its MAIL or RCPT failed.
    Discard,
}

/// What the relay offers, from its EHLO reply.
#[derive(Debug, Default)]
struct Capabilities {
    pipelining: bool,
    dsn: bool,
    smtputf8: bool,
    eight_bit_mime: bool,
    /// SIZE offered, with its limit (0: none announced).
    size: Option<u64>,
    auth_offered: bool,
    auth_plain: bool,
    auth_login: bool,
    /// The keyword lines as the relay wrote them, for the settings page.
    offered: Vec<String>,
}

impl Capabilities {
    fn parse(response: &Response) -> Self {
        let mut caps = Self::default();
        // The first line is the relay's name and greeting.
        for line in response.message().skip(1) {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            caps.offered.push(line.to_owned());
            // "AUTH=LOGIN" is an old spelling some relays still send.
            let (keyword, arguments) = line.split_once([' ', '=']).unwrap_or((line, ""));
            match keyword.to_ascii_uppercase().as_str() {
                "PIPELINING" => caps.pipelining = true,
                "DSN" => caps.dsn = true,
                "SMTPUTF8" => caps.smtputf8 = true,
                "8BITMIME" => caps.eight_bit_mime = true,
                "SIZE" => caps.size = Some(arguments.trim().parse().unwrap_or(0)),
                "AUTH" => {
                    caps.auth_offered = true;
                    for mechanism in arguments.split_whitespace() {
                        match mechanism.to_ascii_uppercase().as_str() {
                            "PLAIN" => caps.auth_plain = true,
                            "LOGIN" => caps.auth_login = true,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        caps
    }
}

/// One write and the replies to the commands in it, read in order: the first `reply()` sends the
/// buffer (or, for a message that is not UTF-8, the message through lettre and then the rest of
/// the buffer), the following ones read the next reply.
struct Flight<'s> {
    conn: &'s mut AsyncSmtpConnection,
    buf: &'s [u8],
    timeout: Duration,
    /// A message to send through lettre's `message()` before `buf`.
    lettre_body: Option<Vec<u8>>,
    /// `buf` is not written yet.
    unsent: bool,
}

impl<'s> Flight<'s> {
    fn new(conn: &'s mut AsyncSmtpConnection, buf: &'s [u8], timeout: Duration, lettre_body: Option<Vec<u8>>) -> Self {
        Self { unsent: !buf.is_empty(), conn, buf, timeout, lettre_body }
    }

    async fn reply(&mut self) -> Step {
        if let Some(body) = self.lettre_body.take() {
            return finish(tokio::time::timeout(self.timeout, self.conn.message(&body)).await);
        }
        if std::mem::take(&mut self.unsent) {
            return send_bytes(self.conn, self.buf, self.timeout).await;
        }
        finish(tokio::time::timeout(self.timeout, self.conn.read_response()).await)
    }
}

/// A reply of any class, or the reason the session broke.
type Step = Result<SmtpReply, SmtpSessionError>;

/// Writes bytes verbatim (lettre's `command` sends the `Display` text) and reads one reply. The
/// bytes are always UTF-8 here: commands are built from `&str` and bodies that are not UTF-8 go
/// through lettre's `message()`.
async fn send_bytes(conn: &mut AsyncSmtpConnection, bytes: &[u8], timeout: Duration) -> Step {
    // `from_utf8` checks ASCII a word at a time; the lossy variant walks it in chunks and
    // showed up in the send benchmark's profile.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    finish(tokio::time::timeout(timeout, conn.command(Verbatim(&text))).await)
}

/// Lets `AsyncSmtpConnection::command` write prepared protocol text unchanged.
struct Verbatim<'a>(&'a str);

impl fmt::Display for Verbatim<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Turns what lettre returned into a reply of any class; 421, timeouts, closed connections and
/// unreadable replies break the session.
fn finish(result: Result<Result<Response, LettreError>, tokio::time::error::Elapsed>) -> Step {
    let reply = match result {
        Err(_) => return Err(SmtpSessionError::Timeout),
        Ok(Ok(response)) => reply_from_response(&response),
        Ok(Err(error)) => reply_from_error(&error).ok_or_else(|| failure(&error))?,
    };
    if reply.code == 421 {
        return Err(SmtpSessionError::Protocol(format!("closed the connection: {reply}")));
    }
    Ok(reply)
}

/// A positive reply, its lines joined as lettre joins those of a negative one.
fn reply_from_response(response: &Response) -> SmtpReply {
    let code = u16::from(response.code());
    let mut lines = response.message();
    let mut text = lines.next().unwrap_or_default().to_owned();
    let enhanced = enhanced_code(code, &text).map(str::to_owned);
    for line in lines {
        let line = match enhanced.as_deref() {
            Some(enhanced) => {
                line.strip_prefix(enhanced).filter(|rest| rest.starts_with(' ')).map_or(line, str::trim_start)
            }
            None => line,
        };
        text.push(' ');
        text.push_str(line);
    }
    SmtpReply { code, enhanced, text }
}

/// A negative reply: lettre keeps its code as `status()` and its joined text as the `source()`.
fn reply_from_error(error: &LettreError) -> Option<SmtpReply> {
    let code = u16::from(error.status()?);
    let text = error.source().map(|source| source.to_string()).unwrap_or_default();
    Some(SmtpReply::new(code, text))
}

/// Why the session broke, for an error that is not an SMTP reply.
fn failure(error: &LettreError) -> SmtpSessionError {
    if error.is_timeout() {
        return SmtpSessionError::Timeout;
    }
    let detail = error.source().map(|source| source.to_string()).unwrap_or_default();
    let what = if !error.is_response() {
        format!("connection failed ({error})")
    } else if detail == "incomplete response" {
        // lettre's words for end of stream before a complete reply.
        "closed the connection".to_owned()
    } else {
        format!("sent a reply that could not be read ({detail})")
    };
    SmtpSessionError::Protocol(what)
}

/// The enhanced status code (RFC 3463) the text starts with, when its class matches the reply.
fn enhanced_code(code: u16, text: &str) -> Option<&str> {
    let word = text.split_whitespace().next()?;
    let mut parts = word.split('.');
    let (class, subject, detail) = (parts.next()?, parts.next()?, parts.next()?);
    let number = |part: &str| (1..=3).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let same_class = matches!(class, "2" | "4" | "5") && class.parse::<u16>().ok() == Some(code / 100);
    (parts.next().is_none() && same_class && number(subject) && number(detail)).then_some(word)
}

/// The outcome of a MAIL, RCPT or DATA refusal (4xx or 5xx).
fn refusal(reply: SmtpReply) -> SubmitOutcome {
    if reply.code >= 500 { SubmitOutcome::Rejected(reply) } else { SubmitOutcome::Deferred(reply) }
}

/// The outcome decided by the reply to the end of the message data.
fn final_outcome(reply: SmtpReply) -> Result<SubmitOutcome, SmtpSessionError> {
    match reply.code / 100 {
        2 => Ok(SubmitOutcome::Accepted(reply)),
        4 => Ok(SubmitOutcome::Deferred(reply)),
        5 => Ok(SubmitOutcome::Rejected(reply)),
        _ => Err(unexpected("the end of the message", &reply)),
    }
}

fn unexpected(command: &str, reply: &SmtpReply) -> SmtpSessionError {
    SmtpSessionError::Protocol(format!("answered {command} with an unexpected reply: {reply}"))
}

fn expect_completion(command: &str, reply: SmtpReply) -> Result<(), SmtpSessionError> {
    if reply.code / 100 == 2 { Ok(()) } else { Err(SmtpSessionError::Protocol(format!("refused {command}: {reply}"))) }
}

/// A submission that must not go out as it is, with the reply recorded for it instead: an address
/// that could inject commands, or a non-ASCII address the relay cannot take (RFC 6531 3.4: such a
/// message must not be sent without SMTPUTF8).
fn local_refusal(submission: &Submission<'_>, caps: &Capabilities) -> Option<SmtpReply> {
    let unsafe_address = |address: &str| address.bytes().any(|b| b.is_ascii_control() || b == b'<' || b == b'>');
    if submission.rcpt_to.is_empty() || unsafe_address(submission.rcpt_to) || unsafe_address(submission.mail_from) {
        let text = "5.1.3 malformed address, not sent (refused locally)";
        return Some(SmtpReply::new(553, text.to_owned()));
    }
    let ascii = submission.mail_from.is_ascii() && submission.rcpt_to.is_ascii();
    if !caps.smtputf8 && !ascii {
        let text = "5.6.7 non-ASCII address but the relay does not offer SMTPUTF8, not sent (refused locally)";
        return Some(SmtpReply::new(553, text.to_owned()));
    }
    None
}

fn push_refusals(refused: &[Submission<'_>], caps: &Capabilities, outcomes: &mut Vec<SubmitOutcome>) {
    for submission in refused {
        if let Some(reply) = local_refusal(submission, caps) {
            outcomes.push(SubmitOutcome::Rejected(reply));
        }
    }
}

/// `MAIL FROM:<a> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8] [RET=HDRS ENVID=x]` and CRLF.
fn push_mail(buf: &mut Vec<u8>, submission: &Submission<'_>, caps: &Capabilities) {
    use std::io::Write as _;
    buf.extend_from_slice(b"MAIL FROM:<");
    buf.extend_from_slice(submission.mail_from.as_bytes());
    buf.push(b'>');
    if caps.size.is_some() {
        // Writing to a Vec cannot fail.
        let _ = write!(buf, " SIZE={}", submission.message.len());
    }
    if caps.eight_bit_mime && !submission.message.is_ascii() {
        buf.extend_from_slice(b" BODY=8BITMIME");
    }
    if caps.smtputf8 && !(submission.mail_from.is_ascii() && submission.rcpt_to.is_ascii()) {
        buf.extend_from_slice(b" SMTPUTF8");
    }
    if caps.dsn {
        buf.extend_from_slice(b" RET=HDRS");
        if !submission.envid.is_empty() {
            buf.extend_from_slice(b" ENVID=");
            push_xtext(buf, submission.envid);
        }
    }
    buf.extend_from_slice(b"\r\n");
}

/// `RCPT TO:<b> [NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;x]` and CRLF. ORCPT is left out for a
/// non-ASCII recipient: the rfc822 type cannot carry it (RFC 6533 has its own), and the ENVID
/// already names the ledger entry.
fn push_rcpt(buf: &mut Vec<u8>, submission: &Submission<'_>, caps: &Capabilities) {
    buf.extend_from_slice(b"RCPT TO:<");
    buf.extend_from_slice(submission.rcpt_to.as_bytes());
    buf.push(b'>');
    if caps.dsn {
        buf.extend_from_slice(b" NOTIFY=SUCCESS,FAILURE,DELAY");
        if submission.rcpt_to.is_ascii() {
            buf.extend_from_slice(b" ORCPT=rfc822;");
            push_xtext(buf, submission.rcpt_to);
        }
    }
    buf.extend_from_slice(b"\r\n");
}

/// RFC 3461 4: bytes outside 33..=126, "+" and "=" become "+XX" (uppercase hex).
fn push_xtext(buf: &mut Vec<u8>, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if (33..=126).contains(&b) && b != b'+' && b != b'=' {
            buf.push(b);
        } else {
            buf.extend_from_slice(&[b'+', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
        }
    }
}

/// Appends the message for the DATA phase, dot-stuffed and ended by ".\r\n", and returns `None`.
/// A message that is not UTF-8 cannot go through `command()`: then `buf` is left alone and the
/// message is returned for lettre's `message()`, which dot-stuffs and adds "\r\n.\r\n" itself.
fn push_body(buf: &mut Vec<u8>, message: &[u8]) -> Option<Vec<u8>> {
    if std::str::from_utf8(message).is_ok() {
        push_lines(buf, message, true);
        buf.extend_from_slice(b".\r\n");
        None
    } else {
        let mut raw = Vec::with_capacity(message.len() + 2);
        push_lines(&mut raw, message, false);
        if raw.ends_with(b"\r\n") {
            raw.truncate(raw.len() - 2);
        }
        Some(raw)
    }
}

/// Appends the message line by line in one pass: every line ends with CRLF (a bare LF becomes
/// CRLF, a missing final line end is added) and, when `stuff`, a line starting with "." gets
/// another "." (RFC 5321 4.5.2).
fn push_lines(buf: &mut Vec<u8>, message: &[u8], stuff: bool) {
    buf.reserve(message.len() + message.len() / 512 + 8);
    for line in message.split_inclusive(|&b| b == b'\n') {
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if stuff && content.first() == Some(&b'.') {
            buf.push(b'.');
        }
        buf.extend_from_slice(content);
        buf.extend_from_slice(b"\r\n");
    }
}

/// The EHLO argument: an address literal for an IP address, else the name as configured (the
/// machine's host name when empty).
fn client_id(helo_name: &str) -> ClientId {
    let name = helo_name.trim();
    if name.is_empty() {
        return ClientId::default();
    }
    match name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(IpAddr::V4(address)) => ClientId::Ipv4(address),
        Ok(IpAddr::V6(address)) => ClientId::Ipv6(address),
        Err(_) => ClientId::Domain(name.to_owned()),
    }
}

/// AUTH with PLAIN when offered, else LOGIN, answering the relay's challenges.
async fn authenticate(
    conn: &mut AsyncSmtpConnection,
    wait: Duration,
    caps: &Capabilities,
    user: &str,
    password: &str,
) -> Result<(), SmtpSessionError> {
    let mechanism = if caps.auth_plain {
        Mechanism::Plain
    } else if caps.auth_login {
        Mechanism::Login
    } else if caps.auth_offered {
        return Err(SmtpSessionError::Auth("it offers neither PLAIN nor LOGIN".into()));
    } else {
        return Err(SmtpSessionError::Auth("it offers no login (AUTH) on this connection; it may require TLS".into()));
    };
    let credentials = Credentials::new(user.to_owned(), password.to_owned());
    let first = Auth::new(mechanism, credentials.clone(), None).map_err(|e| SmtpSessionError::Auth(e.to_string()))?;
    let mut response = auth_step(conn, wait, first).await?;
    for _ in 0..MAX_AUTH_CHALLENGES {
        if !response.has_code(334) {
            break;
        }
        let answer = Auth::new_from_response(mechanism, credentials.clone(), &response)
            .map_err(|e| SmtpSessionError::Auth(format!("cannot answer its challenge ({e})")))?;
        response = auth_step(conn, wait, answer).await?;
    }
    let reply = reply_from_response(&response);
    if reply.code / 100 == 2 { Ok(()) } else { Err(SmtpSessionError::Auth(format!("unexpected reply {reply}"))) }
}

async fn auth_step(
    conn: &mut AsyncSmtpConnection,
    wait: Duration,
    command: Auth,
) -> Result<Response, SmtpSessionError> {
    match tokio::time::timeout(wait, conn.command(command)).await {
        Err(_) => Err(SmtpSessionError::Timeout),
        Ok(Ok(response)) => Ok(response),
        Ok(Err(error)) => Err(match reply_from_error(&error) {
            Some(reply) => SmtpSessionError::Auth(reply.to_string()),
            None => failure(&error),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;

    fn target(port: u16) -> RelayTarget {
        RelayTarget {
            host: "127.0.0.1".into(),
            port,
            security: RelaySecurity::None,
            username: None,
            password: None,
            helo_name: "sender.example".into(),
            timeout: Duration::from_secs(10),
        }
    }

    fn submission<'a>(rcpt_to: &'a str, envid: &'a str, message: &'a [u8]) -> Submission<'a> {
        Submission { mail_from: "news@example.com", rcpt_to, envid, message }
    }

    /// "accepted 250", "rejected 550", ... for compact assertions.
    fn summary(outcomes: &[SubmitOutcome]) -> Vec<String> {
        outcomes
            .iter()
            .map(|outcome| match outcome {
                SubmitOutcome::Accepted(reply) => format!("accepted {}", reply.code),
                SubmitOutcome::Deferred(reply) => format!("deferred {}", reply.code),
                SubmitOutcome::Rejected(reply) => format!("rejected {}", reply.code),
            })
            .collect()
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    #[test]
    fn xtext_encodes_plus_equals_and_non_printable_bytes() {
        let mut buf = Vec::new();
        push_xtext(&mut buf, "a+b=c d\u{e9}~!");
        assert_eq!(buf, b"a+2Bb+3Dc+20d+C3+A9~!");
    }

    #[test]
    fn body_is_dot_stuffed_with_crlf_line_ends() {
        let mut buf = Vec::new();
        assert!(push_body(&mut buf, b".a\r\nb\n.c").is_none());
        assert_eq!(buf, b"..a\r\nb\r\n..c\r\n.\r\n");
        buf.clear();
        assert!(push_body(&mut buf, b"x\r\n.\r\n").is_none());
        assert_eq!(buf, b"x\r\n..\r\n.\r\n");
        buf.clear();
        assert!(push_body(&mut buf, b"").is_none());
        assert_eq!(buf, b".\r\n");
    }

    #[test]
    fn body_that_is_not_utf8_is_left_to_lettre() {
        let mut buf = Vec::new();
        let raw = push_body(&mut buf, b"caf\xe9\n.x\r\n");
        assert_eq!(raw.as_deref(), Some(&b"caf\xe9\r\n.x"[..]));
        assert!(buf.is_empty());
    }

    #[test]
    fn enhanced_status_code_is_read_when_it_matches_the_reply() {
        assert_eq!(SmtpReply::new(550, "5.1.1 <x@y>: unknown".into()).enhanced.as_deref(), Some("5.1.1"));
        assert_eq!(SmtpReply::new(250, "2.0.0 Ok: queued as ABC".into()).enhanced.as_deref(), Some("2.0.0"));
        assert_eq!(SmtpReply::new(550, "4.1.1 class mismatch".into()).enhanced, None);
        assert_eq!(SmtpReply::new(250, "Ok".into()).enhanced, None);
        assert_eq!(SmtpReply::new(451, "4.3.0.1 too many parts".into()).enhanced, None);
    }

    #[test]
    fn multi_line_replies_are_joined_like_lettre_joins_errors() {
        let response: Response = "550-5.7.1 first\r\n550 5.7.1 second\r\n".parse().unwrap();
        let expected = SmtpReply { code: 550, enhanced: Some("5.7.1".into()), text: "5.7.1 first second".into() };
        assert_eq!(reply_from_response(&response), expected);
    }

    #[test]
    fn ehlo_keywords_are_read_case_insensitively() {
        let response: Response = "250-relay.example greets you\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n\
                                  250-auth=LOGIN\r\n250-dsn\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            .parse()
            .unwrap();
        let caps = Capabilities::parse(&response);
        assert!(caps.pipelining && caps.dsn && caps.smtputf8 && caps.eight_bit_mime);
        assert!(caps.auth_offered && caps.auth_login && !caps.auth_plain);
        assert_eq!(caps.size, Some(10_240_000));
        assert_eq!(caps.offered.join(", "), "PIPELINING, SIZE 10240000, auth=LOGIN, dsn, 8BITMIME, SMTPUTF8");
    }

    #[test]
    fn envelope_carries_dsn_and_extension_parameters() {
        let caps =
            Capabilities { dsn: true, smtputf8: true, eight_bit_mime: true, size: Some(0), ..Default::default() };
        let message = "Subject: caf\u{e9}\r\n\r\nx\r\n".as_bytes();
        let mut buf = Vec::new();
        let utf8 = submission("j\u{f6}rg@example.net", "c1+7", message);
        push_mail(&mut buf, &utf8, &caps);
        push_rcpt(&mut buf, &utf8, &caps);
        let expected = format!(
            "MAIL FROM:<news@example.com> SIZE={} BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=c1+2B7\r\n\
             RCPT TO:<j\u{f6}rg@example.net> NOTIFY=SUCCESS,FAILURE,DELAY\r\n",
            message.len()
        );
        assert_eq!(String::from_utf8(buf).unwrap(), expected);

        let ascii = submission("a+b@example.net", "c1", b"x\r\n");
        let mut buf = Vec::new();
        push_rcpt(&mut buf, &ascii, &caps);
        assert_eq!(buf, b"RCPT TO:<a+b@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;a+2Bb@example.net\r\n");

        let plain = Capabilities::default();
        let mut buf = Vec::new();
        push_mail(&mut buf, &ascii, &plain);
        push_rcpt(&mut buf, &ascii, &plain);
        assert_eq!(buf, b"MAIL FROM:<news@example.com>\r\nRCPT TO:<a+b@example.net>\r\n");
    }

    #[test]
    fn unsafe_or_unsendable_addresses_are_refused_locally() {
        let caps = Capabilities::default();
        let injected = local_refusal(&submission("a@example.net>\r\nRSET", "1", b"x"), &caps).unwrap();
        assert_eq!((injected.code, injected.enhanced.as_deref()), (553, Some("5.1.3")));
        let utf8 = local_refusal(&submission("j\u{f6}rg@example.net", "1", b"x"), &caps).unwrap();
        assert_eq!((utf8.code, utf8.enhanced.as_deref()), (553, Some("5.6.7")));
        assert!(local_refusal(&submission("a@example.net", "1", b"x"), &caps).is_none());
    }

    // --- A scripted relay, always available: checks the exact command stream -------------------

    #[derive(Clone, Copy)]
    struct FakeConfig {
        pipelining: bool,
        smtputf8: bool,
        /// Answer DATA with 354 even when no recipient was accepted (RFC 2920 allows it).
        data_despite_no_rcpt: bool,
        /// Send the greeting; without it the relay stays silent.
        greet: bool,
    }

    const FAKE: FakeConfig = FakeConfig { pipelining: true, smtputf8: true, data_despite_no_rcpt: false, greet: true };

    #[derive(Default)]
    struct FakeLog {
        commands: Vec<String>,
        bodies: Vec<Vec<u8>>,
        violations: Vec<String>,
    }

    type SharedLog = Arc<Mutex<FakeLog>>;

    async fn start_fake_relay(config: FakeConfig) -> (u16, SharedLog) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = SharedLog::default();
        let shared = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(fake_session(stream, config, Arc::clone(&shared)));
            }
        });
        (port, log)
    }

    /// Like Postfix: RCPT to "reject…" gets 550, to "defer…" 450, DATA without a recipient 554, a
    /// message containing "REJECT-ME" 554, MAIL inside a transaction 503.
    async fn fake_session(stream: tokio::net::TcpStream, config: FakeConfig, log: SharedLog) {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        if !config.greet {
            let mut ignored = Vec::new();
            let _ = reader.read_until(0, &mut ignored).await;
            return;
        }
        let _ = write.write_all(b"220 fake.example ESMTP\r\n").await;
        let (mut in_transaction, mut has_recipient) = (false, false);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let command = String::from_utf8_lossy(&line).trim_end().to_owned();
            let verb = command.split([' ', ':']).next().unwrap_or_default().to_ascii_uppercase();
            {
                let mut log = log.lock().unwrap();
                if !config.pipelining && !reader.buffer().is_empty() {
                    log.violations.push(format!("pipelined after {command:?} although PIPELINING was not offered"));
                }
                log.commands.push(command.clone());
            }
            let reply: String = match verb.as_str() {
                "EHLO" => {
                    let mut reply = String::from("250-fake.example\r\n");
                    if config.pipelining {
                        reply.push_str("250-PIPELINING\r\n");
                    }
                    if config.smtputf8 {
                        reply.push_str("250-SMTPUTF8\r\n");
                    }
                    reply.push_str("250-DSN\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n");
                    reply
                }
                "MAIL" if in_transaction => "503 5.5.1 Error: nested MAIL command\r\n".into(),
                "MAIL" => {
                    in_transaction = true;
                    has_recipient = false;
                    "250 2.1.0 Ok\r\n".into()
                }
                "RCPT" if !in_transaction => "503 5.5.1 Error: need MAIL command\r\n".into(),
                "RCPT" if command.contains("<reject") => {
                    "550 5.1.1 <reject@example.net>: Recipient address rejected: User unknown\r\n".into()
                }
                "RCPT" if command.contains("<defer") => {
                    "450 4.2.0 <defer@example.net>: Recipient address rejected: Greylisted\r\n".into()
                }
                "RCPT" => {
                    has_recipient = true;
                    "250 2.1.5 Ok\r\n".into()
                }
                "DATA" if !in_transaction => "503 5.5.1 Error: need RCPT command\r\n".into(),
                "DATA" if !has_recipient && !config.data_despite_no_rcpt => {
                    "554 5.5.1 Error: no valid recipients\r\n".into()
                }
                "DATA" => {
                    if !reader.buffer().is_empty() {
                        log.lock().unwrap().violations.push("message data sent before the 354 reply".into());
                    }
                    let _ = write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await;
                    let mut body = Vec::new();
                    loop {
                        line.clear();
                        if reader.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == b".\r\n" {
                            break;
                        }
                        body.extend_from_slice(line.strip_prefix(b".").unwrap_or(&line[..]));
                    }
                    in_transaction = false;
                    let refuse = body.windows(9).any(|window| window == b"REJECT-ME");
                    log.lock().unwrap().bodies.push(body);
                    if refuse {
                        "554 5.7.1 Error: content rejected\r\n".into()
                    } else {
                        "250 2.0.0 Ok: queued as FAKE\r\n".into()
                    }
                }
                "RSET" => {
                    in_transaction = false;
                    "250 2.0.0 Ok\r\n".into()
                }
                "QUIT" => {
                    let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                    return;
                }
                _ => "502 5.5.2 Error: command not recognized\r\n".into(),
            };
            if write.write_all(reply.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    fn verbs(log: &SharedLog) -> Vec<String> {
        let log = log.lock().unwrap();
        log.commands.iter().map(|command| command.split([' ', ':']).next().unwrap_or_default().to_owned()).collect()
    }

    #[tokio::test]
    async fn pipelined_batch_reports_each_reply_and_resets_after_refusals() {
        let (port, log) = start_fake_relay(FAKE).await;
        let mut session = RelaySession::connect(&target(port)).await.unwrap();
        assert!(session.supports_pipelining());
        assert!(session.supports_dsn());

        let messages: [&[u8]; 5] = [
            b"Subject: one\r\n\r\n.leading dot\nbare line feed",
            b"Subject: two\r\n\r\nnever sent\r\n",
            "Subject: drei\r\n\r\nGr\u{fc}\u{df}e\r\n".as_bytes(),
            b"Subject: four\r\n\r\nnot sent yet\r\n",
            b"Subject: five\r\n\r\nREJECT-ME\r\n",
        ];
        let batch = [
            submission("ok0@example.net", "c1+0", messages[0]),
            submission("reject@example.net", "c1+1", messages[1]),
            submission("j\u{f6}rg@example.net", "c1+2", messages[2]),
            submission("defer@example.net", "c1+3", messages[3]),
            submission("ok4@example.net", "c1+4", messages[4]),
        ];
        let result = session.send_batch(&batch).await;
        assert!(result.broken.is_none(), "{:?}", result.broken);
        assert_eq!(
            summary(&result.outcomes),
            ["accepted 250", "rejected 550", "accepted 250", "deferred 450", "rejected 554"]
        );
        let refused = SmtpReply {
            code: 550,
            enhanced: Some("5.1.1".into()),
            text: "5.1.1 <reject@example.net>: Recipient address rejected: User unknown".into(),
        };
        assert_eq!(result.outcomes[1], SubmitOutcome::Rejected(refused));
        let queued = SmtpReply { code: 250, enhanced: Some("2.0.0".into()), text: "2.0.0 Ok: queued as FAKE".into() };
        assert_eq!(result.outcomes[0], SubmitOutcome::Accepted(queued));
        assert!(session.is_usable());
        session.quit().await;

        assert_eq!(
            verbs(&log),
            [
                "EHLO", "EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA", "MAIL",
                "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA", "QUIT"
            ]
        );
        let log = log.lock().unwrap();
        let first_mail = format!("MAIL FROM:<news@example.com> SIZE={} RET=HDRS ENVID=c1+2B0", messages[0].len());
        assert_eq!(log.commands[2], first_mail);
        assert_eq!(
            log.commands[3],
            "RCPT TO:<ok0@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;ok0@example.net"
        );
        assert!(log.commands[9].contains(" BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=c1+2B2"), "{}", log.commands[9]);
        assert_eq!(log.commands[10], "RCPT TO:<j\u{f6}rg@example.net> NOTIFY=SUCCESS,FAILURE,DELAY");
        let expected_bodies = [
            b"Subject: one\r\n\r\n.leading dot\r\nbare line feed\r\n".to_vec(),
            messages[2].to_vec(),
            messages[4].to_vec(),
        ];
        assert_eq!(log.bodies, expected_bodies);
        assert!(log.violations.is_empty(), "{:?}", log.violations);
    }

    #[tokio::test]
    async fn pipelined_data_accepted_after_a_refused_recipient_is_ended_empty() {
        let (port, log) = start_fake_relay(FakeConfig { data_despite_no_rcpt: true, ..FAKE }).await;
        let mut session = RelaySession::connect(&target(port)).await.unwrap();
        let message = b"Subject: kept\r\n\r\nkept\r\n";
        let batch = [submission("reject@example.net", "c2", message), submission("ok@example.net", "c2", message)];
        let result = session.send_batch(&batch).await;
        assert!(result.broken.is_none(), "{:?}", result.broken);
        assert_eq!(summary(&result.outcomes), ["rejected 550", "accepted 250"]);
        session.quit().await;
        assert_eq!(verbs(&log), ["EHLO", "EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT"]);
        assert_eq!(log.lock().unwrap().bodies, [Vec::new(), message.to_vec()]);
    }

    #[tokio::test]
    async fn without_pipelining_commands_go_one_at_a_time_and_rset_carries_over() {
        let (port, log) = start_fake_relay(FakeConfig { pipelining: false, ..FAKE }).await;
        let mut session = RelaySession::connect(&target(port)).await.unwrap();
        assert!(!session.supports_pipelining());
        let message = b"Subject: x\r\n\r\n.x\r\n";
        let first = [submission("ok@example.net", "c3", message), submission("reject@example.net", "c3", message)];
        let result = session.send_batch(&first).await;
        assert!(result.broken.is_none(), "{:?}", result.broken);
        assert_eq!(summary(&result.outcomes), ["accepted 250", "rejected 550"]);
        let second = [submission("ok@example.net", "c3", message)];
        let result = session.send_batch(&second).await;
        assert_eq!(summary(&result.outcomes), ["accepted 250"]);
        session.quit().await;
        assert_eq!(
            verbs(&log),
            ["EHLO", "EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "DATA", "QUIT"]
        );
        let log = log.lock().unwrap();
        assert_eq!(log.bodies, [message.to_vec(), message.to_vec()]);
        assert!(log.violations.is_empty(), "{:?}", log.violations);
    }

    #[tokio::test]
    async fn unsendable_submissions_are_refused_in_order_without_a_word_to_the_relay() {
        let (port, log) = start_fake_relay(FakeConfig { smtputf8: false, ..FAKE }).await;
        let mut session = RelaySession::connect(&target(port)).await.unwrap();
        let message = b"Subject: x\r\n\r\nx\r\n";
        let batch = [
            submission("ok@example.net", "c4", message),
            submission("evil@example.net>\r\nRSET", "c4", message),
            submission("j\u{f6}rg@example.net", "c4", message),
            submission("ok@example.net", "c4", message),
        ];
        let result = session.send_batch(&batch).await;
        assert!(result.broken.is_none(), "{:?}", result.broken);
        assert_eq!(summary(&result.outcomes), ["accepted 250", "rejected 553", "rejected 553", "accepted 250"]);
        session.quit().await;
        assert_eq!(verbs(&log), ["EHLO", "EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT"]);
    }

    #[tokio::test]
    async fn connect_times_out_when_the_relay_never_greets() {
        let (port, _log) = start_fake_relay(FakeConfig { greet: false, ..FAKE }).await;
        let relay = RelayTarget { timeout: Duration::from_millis(300), ..target(port) };
        assert!(matches!(RelaySession::connect(&relay).await, Err(SmtpSessionError::Timeout)));
    }

    #[tokio::test]
    async fn connect_to_a_closed_port_fails() {
        let result = RelaySession::connect(&target(free_port())).await;
        assert!(matches!(result, Err(SmtpSessionError::Connect { .. })));
    }

    #[tokio::test]
    async fn starttls_that_is_not_offered_fails_the_connection() {
        let (port, _log) = start_fake_relay(FAKE).await;
        let relay = RelayTarget { security: RelaySecurity::StartTls, ..target(port) };
        match RelaySession::connect(&relay).await {
            Err(SmtpSessionError::Connect { reason, .. }) => assert!(reason.contains("STARTTLS"), "{reason}"),
            Err(other) => panic!("unexpected error: {other}"),
            Ok(_) => panic!("connected without STARTTLS"),
        }
    }

    #[tokio::test]
    async fn login_without_auth_offered_fails() {
        let (port, _log) = start_fake_relay(FAKE).await;
        let relay = RelayTarget { username: Some("user".into()), password: Some("secret".into()), ..target(port) };
        assert!(matches!(RelaySession::connect(&relay).await, Err(SmtpSessionError::Auth(_))));
    }

    // --- Postfix's smtp-sink, a real peer, when installed ----------------------------------------

    use crate::campaign_fixture::SmtpSink;

    async fn start_sink(options: &[&str]) -> Option<SmtpSink> {
        SmtpSink::start(options).await
    }

    /// A directory smtp-sink can write to after dropping to nobody.
    fn dump_dir(name: &str) -> PathBuf {
        crate::campaign_fixture::dump_dir(name).unwrap()
    }

    async fn read_dump(path: &Path, messages: usize) -> String {
        for _ in 0..100 {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            if text.matches("X-Mail-Args:").count() >= messages {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("smtp-sink did not dump {messages} messages to {}", path.display());
    }

    fn plain_batch<'a>(recipients: &[&'a str]) -> Vec<Submission<'a>> {
        recipients.iter().map(|&rcpt| submission(rcpt, "c9", b"Subject: x\r\n\r\nx\r\n")).collect()
    }

    #[tokio::test]
    async fn smtp_sink_takes_a_pipelined_batch_with_dsn() {
        let dir = dump_dir("batch");
        let dump = dir.join("dump");
        let dump_arg = dump.to_string_lossy().into_owned();
        let Some(sink) = start_sink(&["-D", dump_arg.as_str()]).await else { return };
        let mut session = RelaySession::connect(&target(sink.port)).await.unwrap();
        assert!(session.supports_pipelining());
        assert!(session.supports_dsn());

        let messages: Vec<String> =
            (0..20).map(|i| format!("Subject: test {i}\r\n\r\n.leading dot {i}\r\nlast line {i}")).collect();
        let recipients: Vec<String> = (0..20).map(|i| format!("user{i}@example.net")).collect();
        let envids: Vec<String> = (0..20).map(|i| format!("c7+{i}")).collect();
        let batch: Vec<Submission<'_>> =
            (0..20).map(|i| submission(&recipients[i], &envids[i], messages[i].as_bytes())).collect();
        let result = session.send_batch(&batch).await;
        assert!(result.broken.is_none(), "{:?}", result.broken);
        assert_eq!(result.outcomes.len(), 20);
        for outcome in &result.outcomes {
            assert!(matches!(outcome, SubmitOutcome::Accepted(reply) if reply.code == 250), "{outcome:?}");
        }
        assert!(session.is_usable());
        session.quit().await;

        let dumped = read_dump(&dump, 20).await;
        assert!(dumped.contains("X-Mail-Args: <news@example.com> RET=HDRS ENVID=c7+2B7\n"), "{dumped}");
        assert!(
            dumped.contains(
                "X-Rcpt-Args: <user7@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;user7@example.net\n"
            ),
            "{dumped}"
        );
        assert!(dumped.contains("\n.leading dot 7\nlast line 7\n"), "{dumped}");
        assert!(!dumped.contains("\n.."), "smtp-sink removes exactly one stuffed dot: {dumped}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn smtp_sink_hard_rcpt_rejects_are_rejected_and_the_session_goes_on() {
        // -f: hard (5xx) reject; it also stops announcing PIPELINING.
        let Some(sink) = start_sink(&["-f", "rcpt"]).await else { return };
        let mut session = RelaySession::connect(&target(sink.port)).await.unwrap();
        assert!(!session.supports_pipelining());
        let batch = plain_batch(&["a@example.net", "b@example.net", "c@example.net"]);
        for round in 0..2 {
            let result = session.send_batch(&batch).await;
            assert!(result.broken.is_none(), "{:?}", result.broken);
            assert_eq!(result.outcomes.len(), 3);
            for outcome in &result.outcomes {
                let SubmitOutcome::Rejected(reply) = outcome else { panic!("round {round}: {outcome:?}") };
                assert!((500..600).contains(&reply.code), "{reply}");
                // A MAIL without the RSET before it would get "503 5.5.1 nested MAIL command".
                assert_eq!(reply.enhanced.as_deref(), Some("5.3.0"), "{reply}");
            }
            assert!(session.is_usable());
        }
        session.quit().await;
    }

    #[tokio::test]
    async fn smtp_sink_soft_rcpt_rejects_are_deferred() {
        let Some(sink) = start_sink(&["-r", "rcpt"]).await else { return };
        let mut session = RelaySession::connect(&target(sink.port)).await.unwrap();
        let result = session.send_batch(&plain_batch(&["a@example.net", "b@example.net"])).await;
        assert!(result.broken.is_none(), "{:?}", result.broken);
        assert_eq!(result.outcomes.len(), 2);
        for outcome in &result.outcomes {
            assert!(matches!(outcome, SubmitOutcome::Deferred(reply) if reply.code / 100 == 4), "{outcome:?}");
        }
        session.quit().await;
    }

    #[tokio::test]
    async fn smtp_sink_421_breaks_the_session() {
        // -Q: reply 421 and disconnect.
        let Some(sink) = start_sink(&["-Q", "rcpt"]).await else { return };
        let mut session = RelaySession::connect(&target(sink.port)).await.unwrap();
        let batch = plain_batch(&["a@example.net", "b@example.net", "c@example.net"]);
        let result = session.send_batch(&batch).await;
        assert!(result.outcomes.is_empty(), "{:?}", result.outcomes);
        match result.broken {
            Some(SmtpSessionError::Protocol(reason)) => assert!(reason.contains("421"), "{reason}"),
            other => panic!("expected a 421, got {other:?}"),
        }
        assert!(!session.is_usable());
        let again = session.send_batch(&batch).await;
        assert!(again.outcomes.is_empty() && again.broken.is_some());
    }

    #[tokio::test]
    async fn smtp_sink_disconnect_after_the_data_breaks_the_session() {
        // -q: disconnect without a reply, here after the end-of-data dot.
        let Some(sink) = start_sink(&["-q", "."]).await else { return };
        let mut session = RelaySession::connect(&target(sink.port)).await.unwrap();
        let result = session.send_batch(&plain_batch(&["a@example.net", "b@example.net"])).await;
        assert!(result.outcomes.is_empty(), "{:?}", result.outcomes);
        assert!(matches!(result.broken, Some(SmtpSessionError::Protocol(_))), "{:?}", result.broken);
        assert!(!session.is_usable());
    }

    #[tokio::test]
    async fn smtp_sink_test_relay_logs_in_and_lists_what_is_offered() {
        let Some(sink) = start_sink(&[]).await else { return };
        let relay = RelayTarget { username: Some("user".into()), password: Some("secret".into()), ..target(sink.port) };
        let offered = test_relay(&relay).await.unwrap();
        assert!(offered.contains("PIPELINING") && offered.contains("DSN"), "{offered}");
    }

    #[tokio::test]
    async fn smtp_sink_without_auth_refuses_a_login() {
        // -a: do not announce AUTH.
        let Some(sink) = start_sink(&["-a"]).await else { return };
        let relay = RelayTarget { username: Some("user".into()), password: Some("secret".into()), ..target(sink.port) };
        assert!(matches!(test_relay(&relay).await, Err(SmtpSessionError::Auth(_))));
    }
}
