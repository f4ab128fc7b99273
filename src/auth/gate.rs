//! What stands between a password guesser and everyone else: failed sign-ins slow down the
//! (user, client address) pair that made them and nobody else, and the expensive bcrypt checks run
//! a few at a time with a short line per address.
//!
//! Quay backs off per user (`invalid_login_attempts`, `last_invalid_login`): one mistyped password,
//! retried by a client, refuses the right one from every machine, and anyone who knows a username
//! can keep it locked out. Here the backoff belongs to the address that failed; the columns are
//! still written as Quay writes them (a Quay node sharing the database reads them), but never
//! read. Guessing at scale is bounded by the backoff per address and by the check line below.
//!
//! All of it lives in this node's memory: a restart forgets it, and each node of a cluster keeps
//! its own (a guesser spread over nodes gets each node's allowance).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

/// Failures from one address that cost nothing (clients retry a mistyped password a few times).
pub const FREE_FAILURES: u32 = 5;
/// The longest wait the backoff imposes.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// An address's failures are forgotten this long after its last one (or after its backoff).
const FAILURE_MEMORY: Duration = Duration::from_secs(15 * 60);
/// At most this many (user, address) pairs are remembered.
const MAX_FAILURE_ENTRIES: usize = 65_536;
/// A successful check is remembered this long: clients sign in again for every repository.
const VERIFIED_TTL: Duration = Duration::from_secs(120);
const MAX_VERIFIED_ENTRIES: usize = 8192;

/// Why a check was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This address failed too often for this user: try again in this many seconds.
    Throttled(u64),
    /// Too many checks are running or waiting (for this address, or in all).
    Busy,
}

struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// Quay's backoff, `0.5 * (2^n - 1)` seconds after the n-th failure, counted from the first
    /// failure that is not free.
    fn wait(&self) -> Duration {
        let n = self.count.saturating_sub(FREE_FAILURES).min(20);
        Duration::from_millis(500 * ((1u64 << n) - 1)).min(MAX_BACKOFF)
    }

    fn forgotten_at(&self) -> Instant {
        self.last + self.wait().max(FAILURE_MEMORY)
    }
}

pub struct LoginGate {
    failures: Mutex<HashMap<[u8; 32], Failures>>,
    /// Bcrypt checks that may run at once (about the number of cores).
    running: tokio::sync::Semaphore,
    /// Checks running or waiting, per address and in all.
    in_line: Mutex<(HashMap<IpAddr, usize>, usize)>,
    per_address: usize,
    line_limit: usize,
    /// Successful checks: a keyed hash of (kind, name, secret, stored hash), never the secret.
    verified: Mutex<HashMap<[u8; 32], Instant>>,
    /// Makes the keys above useless outside this process.
    key: [u8; 32],
}

impl Default for LoginGate {
    fn default() -> Self {
        Self::new()
    }
}

impl LoginGate {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()).max(2);
        LoginGate {
            failures: Mutex::new(HashMap::new()),
            running: tokio::sync::Semaphore::new(cores),
            in_line: Mutex::new((HashMap::new(), 0)),
            per_address: cores,
            line_limit: 16 * cores,
            verified: Mutex::new(HashMap::new()),
            key: rand::random(),
        }
    }

    fn hash(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        h.finalize().into()
    }

    fn failure_key(&self, username: &str, client: Option<IpAddr>) -> [u8; 32] {
        let address = client.map(|ip| ip.to_canonical().to_string()).unwrap_or_default();
        self.hash(&[b"failure", username.to_lowercase().as_bytes(), address.as_bytes()])
    }

    /// Whether `client` must wait before `username` may be tried from it again.
    pub fn throttled(&self, username: &str, client: Option<IpAddr>) -> Option<u64> {
        let key = self.failure_key(username, client);
        let failures = self.failures.lock().ok()?;
        let f = failures.get(&key)?;
        let retry_at = f.last + f.wait();
        let now = Instant::now();
        (now < retry_at).then(|| (retry_at - now).as_millis().div_ceil(1000) as u64)
    }

    /// Counts a failed sign-in of `username` from `client`.
    pub fn failed(&self, username: &str, client: Option<IpAddr>) {
        let key = self.failure_key(username, client);
        let Ok(mut failures) = self.failures.lock() else { return };
        let now = Instant::now();
        if failures.len() >= MAX_FAILURE_ENTRIES && !failures.contains_key(&key) {
            failures.retain(|_, f| f.forgotten_at() > now);
            if failures.len() >= MAX_FAILURE_ENTRIES {
                // Only a flood of distinct names gets here; the check line still bounds it.
                failures.clear();
            }
        }
        let entry = failures.entry(key).or_insert(Failures { count: 0, last: now });
        if entry.forgotten_at() <= now {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    /// Forgets the failures of `username` from `client` after it signed in.
    pub fn succeeded(&self, username: &str, client: Option<IpAddr>) {
        let key = self.failure_key(username, client);
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&key);
        }
    }

    /// Runs `check` (a bcrypt verification of `secret` against `stored`) unless the same secret
    /// matched the same stored hash a moment ago. Checks run a few at a time; what cannot even
    /// wait in line is refused.
    pub async fn verify(
        &self,
        client: Option<IpAddr>,
        kind: &str,
        name: &str,
        secret: &str,
        stored: &str,
        check: impl FnOnce() -> bool + Send + 'static,
    ) -> Result<bool, Refused> {
        let key = self.hash(&[kind.as_bytes(), name.as_bytes(), secret.as_bytes(), stored.as_bytes()]);
        let now = Instant::now();
        if self.verified.lock().ok().and_then(|v| v.get(&key).copied()).is_some_and(|until| now < until) {
            return Ok(true);
        }
        let _place = self.join_line(client)?;
        let permit = self.running.acquire().await.map_err(|_| Refused::Busy)?;
        let matches = tokio::task::spawn_blocking(check).await.unwrap_or(false);
        drop(permit);
        if matches && let Ok(mut verified) = self.verified.lock() {
            if verified.len() >= MAX_VERIFIED_ENTRIES {
                verified.retain(|_, until| *until > now);
                if verified.len() >= MAX_VERIFIED_ENTRIES {
                    verified.clear();
                }
            }
            verified.insert(key, Instant::now() + VERIFIED_TTL);
        }
        Ok(matches)
    }

    fn join_line(&self, client: Option<IpAddr>) -> Result<Place<'_>, Refused> {
        let mut line = self.in_line.lock().map_err(|_| Refused::Busy)?;
        let (per_address, total) = &mut *line;
        if *total >= self.line_limit {
            return Err(Refused::Busy);
        }
        if let Some(ip) = client {
            let mine = per_address.entry(ip).or_insert(0);
            if *mine >= self.per_address {
                return Err(Refused::Busy);
            }
            *mine += 1;
        }
        *total += 1;
        Ok(Place { gate: self, client })
    }

    /// For tests: everything remembered becomes `by` older.
    pub fn time_passes(&self, by: Duration) {
        let earlier = |t: Instant| t.checked_sub(by).unwrap_or(t);
        if let Ok(mut failures) = self.failures.lock() {
            for f in failures.values_mut() {
                f.last = earlier(f.last);
            }
        }
        if let Ok(mut verified) = self.verified.lock() {
            for until in verified.values_mut() {
                *until = earlier(*until);
            }
        }
    }
}

/// A place in the check line, given up when dropped.
struct Place<'a> {
    gate: &'a LoginGate,
    client: Option<IpAddr>,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        if let Ok(mut line) = self.gate.in_line.lock() {
            let (per_address, total) = &mut *line;
            *total = total.saturating_sub(1);
            if let Some(ip) = self.client
                && let Some(mine) = per_address.get_mut(&ip)
            {
                *mine -= 1;
                if *mine == 0 {
                    per_address.remove(&ip);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_from_one_address_do_not_throttle_another() {
        let gate = LoginGate::new();
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.3".parse().unwrap();
        for _ in 0..FREE_FAILURES {
            gate.failed("admin", Some(a));
            assert_eq!(gate.throttled("admin", Some(a)), None);
        }
        gate.failed("admin", Some(a));
        assert_eq!(gate.throttled("admin", Some(a)), Some(1));
        assert_eq!(gate.throttled("Admin", Some(a)), Some(1));
        assert_eq!(gate.throttled("admin", Some(b)), None);
        assert_eq!(gate.throttled("other", Some(a)), None);
        for _ in 0..5 {
            gate.failed("admin", Some(a));
        }
        // Six failures past the free ones: 0.5 * (2^6 - 1) = 31.5 s.
        assert_eq!(gate.throttled("admin", Some(a)), Some(32));
        gate.time_passes(Duration::from_secs(32));
        assert_eq!(gate.throttled("admin", Some(a)), None);
        gate.succeeded("admin", Some(a));
        gate.failed("admin", Some(a));
        assert_eq!(gate.throttled("admin", Some(a)), None);
    }

    #[test]
    fn failures_are_forgotten_after_a_while() {
        let gate = LoginGate::new();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..FREE_FAILURES + 1 {
            gate.failed("bob", Some(a));
        }
        gate.time_passes(FAILURE_MEMORY);
        gate.failed("bob", Some(a));
        assert_eq!(gate.throttled("bob", Some(a)), None);
    }

    #[tokio::test]
    async fn the_line_is_short_per_address_and_successes_are_remembered() {
        let gate = std::sync::Arc::new(LoginGate::new());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = std::sync::Arc::new(Mutex::new(wait));
        let mut held = Vec::new();
        for i in 0..gate.per_address {
            let (gate, wait) = (gate.clone(), wait.clone());
            held.push(tokio::spawn(async move {
                gate.verify(Some(a), "password", "u", &i.to_string(), "h", move || {
                    let _ = wait.lock().unwrap().recv();
                    false
                })
                .await
            }));
        }
        while gate.in_line.lock().unwrap().1 < gate.per_address {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.verify(Some(a), "password", "u", "x", "h", || true).await, Err(Refused::Busy));
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let other = tokio::spawn({
            let gate = gate.clone();
            async move { gate.verify(Some(b), "password", "u", "right", "h", || true).await }
        });
        for _ in 0..gate.per_address {
            release.send(()).unwrap();
        }
        for h in held {
            assert_eq!(h.await.unwrap(), Ok(false));
        }
        assert_eq!(other.await.unwrap(), Ok(true));
        // Remembered: the same secret against the same hash is not checked again.
        assert_eq!(gate.verify(Some(b), "password", "u", "right", "h", || false).await, Ok(true));
        // A changed stored hash is checked again.
        assert_eq!(gate.verify(Some(b), "password", "u", "right", "h2", || false).await, Ok(false));
    }
}
