//! Sending speed: the campaign's target rate (a token bucket every connection of the process
//! draws from) and per-provider limits with automatic back-off when a receiver says "slow
//! down" (421, or an enhanced status 4.7.x).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use model::campaigns::Provider;

use super::smtp_session::SmtpReply;

/// A token bucket refilled at `per_minute`; 0 = unlimited. Burst: one second's worth (at
/// least one batch), so a low rate is spread evenly instead of sent in bursts.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    per_minute: u32,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn capacity(&self) -> f64 {
        (f64::from(self.per_minute) / 60.0).max(1.0)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * f64::from(self.per_minute) / 60.0).min(self.capacity());
        self.last = now;
    }
}

impl RateLimiter {
    /// A bucket at `per_minute` (0 = unlimited), starting full.
    pub fn new(per_minute: u32) -> Self {
        let b = Bucket { per_minute, tokens: 0.0, last: Instant::now() };
        let tokens = b.capacity();
        Self { state: Mutex::new(Bucket { tokens, ..b }) }
    }

    /// Changes the rate while sending (the admin's "change rate").
    pub fn set_rate(&self, per_minute: u32) {
        if let Ok(mut b) = self.state.lock()
            && b.per_minute != per_minute
        {
            b.refill(Instant::now());
            b.per_minute = per_minute;
            b.tokens = b.tokens.min(b.capacity());
        }
    }

    /// Takes up to `want` tokens: how many may be sent now (0..=want), or how long to wait
    /// for the next one.
    pub fn take(&self, want: usize) -> Result<usize, Duration> {
        let Ok(mut b) = self.state.lock() else { return Ok(want) };
        if b.per_minute == 0 {
            return Ok(want);
        }
        b.refill(Instant::now());
        let whole = b.tokens.floor();
        if whole < 1.0 {
            let per_second = f64::from(b.per_minute) / 60.0;
            return Err(Duration::from_secs_f64(((1.0 - b.tokens) / per_second).clamp(0.001, 60.0)));
        }
        // `whole` is at least 1 and at most the capacity, so the cast is exact.
        let n = (whole as usize).min(want);
        b.tokens -= n as f64;
        Ok(n)
    }
}

/// Per-provider limits (messages a minute, from `provider_limit`) and back-off.
#[derive(Debug, Default)]
pub struct ProviderGate {
    state: Mutex<HashMap<Provider, ProviderState>>,
}

#[derive(Debug)]
struct ProviderState {
    limiter: Option<RateLimiter>,
    /// No sending to this provider before this instant.
    backoff_until: Option<Instant>,
    /// The next back-off's length (doubles on each "slow down", up to 15 minutes).
    next_backoff: Duration,
}

/// First back-off after a "slow down" reply.
const FIRST_BACKOFF: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);

impl ProviderGate {
    /// Gates with the configured per-minute limits (providers not listed are unlimited).
    pub fn new(limits: &[(Provider, u32)]) -> Self {
        let mut state = HashMap::new();
        for p in Provider::ALL {
            let limit = limits.iter().find(|(q, _)| *q == p).map(|(_, n)| *n).filter(|n| *n > 0);
            state.insert(
                p,
                ProviderState {
                    limiter: limit.map(RateLimiter::new),
                    backoff_until: None,
                    next_backoff: FIRST_BACKOFF,
                },
            );
        }
        Self { state: Mutex::new(state) }
    }

    /// Providers not to claim for now: backing off, or out of tokens.
    pub fn held(&self) -> Vec<Provider> {
        let Ok(state) = self.state.lock() else { return Vec::new() };
        let now = Instant::now();
        state
            .iter()
            .filter(|(_, s)| {
                s.backoff_until.is_some_and(|t| t > now) || s.limiter.as_ref().is_some_and(|l| l.take(0).is_err())
            })
            .map(|(p, _)| *p)
            .collect()
    }

    /// Counts one message to `provider` against its limit (a batch may overshoot a limit by
    /// less than one batch; the next claim leaves the provider out until it refills).
    pub fn spend(&self, provider: Provider) {
        if let Ok(state) = self.state.lock()
            && let Some(l) = state.get(&provider).and_then(|s| s.limiter.as_ref())
        {
            let _ = l.take(1);
        }
    }

    /// Reacts to a 4xx reply: a "slow down" (421, 4.7.x) holds the provider back for the
    /// current back-off, which then doubles; true when it did.
    pub fn deferred(&self, provider: Provider, reply: &SmtpReply) -> bool {
        if !is_slow_down(reply) {
            return false;
        }
        let Ok(mut state) = self.state.lock() else { return false };
        if let Some(s) = state.get_mut(&provider) {
            let now = Instant::now();
            if s.backoff_until.is_none_or(|t| t <= now) {
                s.backoff_until = Some(now + s.next_backoff);
                s.next_backoff = (s.next_backoff * 2).min(MAX_BACKOFF);
            }
        }
        true
    }

    /// A message to `provider` was accepted: the back-off starts over from the first step.
    pub fn accepted(&self, provider: Provider) {
        if let Ok(mut state) = self.state.lock()
            && let Some(s) = state.get_mut(&provider)
            && s.backoff_until.is_none_or(|t| t <= Instant::now())
        {
            s.next_backoff = FIRST_BACKOFF;
        }
    }
}

impl RateLimiter {
    #[cfg(test)]
    fn tokens(&self) -> f64 {
        self.state.lock().map(|b| b.tokens).unwrap_or_default()
    }
}

/// 421 (service closing / try later) or an enhanced status in class 4.7 (policy: rate limits,
/// reputation) asks the sender to slow down rather than blaming the recipient.
pub fn is_slow_down(reply: &SmtpReply) -> bool {
    reply.code == 421 || reply.enhanced.as_deref().is_some_and(|e| e.starts_with("4.7."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_gives_everything_asked() {
        assert_eq!(RateLimiter::new(0).take(500), Ok(500));
    }

    #[test]
    fn a_rate_gives_one_second_of_burst_then_waits() {
        let l = RateLimiter::new(600); // 10 a second
        assert_eq!(l.take(50), Ok(10));
        let wait = l.take(1).unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO, "{wait:?}");
        l.set_rate(6000);
        assert!(l.tokens() < 1.0);
    }

    #[test]
    fn slow_down_replies_hold_the_provider_back_and_the_back_off_grows() {
        let gate = ProviderGate::new(&[]);
        let slow = SmtpReply { code: 450, enhanced: Some("4.7.0".into()), text: "try later".into() };
        let full = SmtpReply { code: 452, enhanced: Some("4.2.2".into()), text: "mailbox full".into() };
        assert!(!gate.deferred(Provider::Gmail, &full));
        assert!(gate.held().is_empty());
        assert!(gate.deferred(Provider::Gmail, &slow));
        assert_eq!(gate.held(), vec![Provider::Gmail]);
        let next = gate.state.lock().unwrap()[&Provider::Gmail].next_backoff;
        assert_eq!(next, FIRST_BACKOFF * 2);
        assert!(is_slow_down(&SmtpReply { code: 421, enhanced: None, text: String::new() }));
    }

    #[test]
    fn a_provider_limit_holds_it_back_when_spent() {
        let gate = ProviderGate::new(&[(Provider::Yahoo, 60)]);
        assert!(gate.held().is_empty());
        gate.spend(Provider::Yahoo);
        assert_eq!(gate.held(), vec![Provider::Yahoo]);
    }
}
