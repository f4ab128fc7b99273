//! Named points where an integration test can stop this process, to prove what a crash or a stall
//! at exactly that point leaves behind. Off unless `QUAY_TEST_HOOKS` is set; then each point costs
//! one lookup in a small list, and with the variable unset it costs one atomic load.
//!
//! `QUAY_TEST_HOOKS=point=action[,point=action...]`, where `point` is a name passed to [`reached`]
//! (or `name@BYTES` for [`bytes`]: fires once the count reaches BYTES) and `action` is one of
//! - `pause`: print `quay test hook: <point>` on stderr and never continue (the test kills the
//!   process, or looks at what is visible while it waits);
//! - `wait:PATH`: print the same line, then continue once PATH exists (a gate the test opens);
//! - `note`: print the line and continue.
//!
//! The printed line is the synchronisation: a test acts only once it has read it, so a kill lands
//! at the named point and nowhere else.

use std::sync::OnceLock;
use std::time::Duration;

struct Hook {
    point: String,
    bytes: Option<u64>,
    action: Action,
}

enum Action {
    Pause,
    Wait(std::path::PathBuf),
    Note,
}

fn hooks() -> &'static [Hook] {
    static HOOKS: OnceLock<Vec<Hook>> = OnceLock::new();
    HOOKS.get_or_init(|| std::env::var("QUAY_TEST_HOOKS").map(|spec| parse(&spec)).unwrap_or_default())
}

fn parse(spec: &str) -> Vec<Hook> {
    spec.split(',')
        .filter_map(|item| {
            let (point, action) = item.trim().split_once('=')?;
            let (point, bytes) = match point.split_once('@') {
                Some((p, n)) => (p, Some(n.parse().ok()?)),
                None => (point, None),
            };
            let action = match action {
                "pause" => Action::Pause,
                "note" => Action::Note,
                a => Action::Wait(a.strip_prefix("wait:")?.into()),
            };
            Some(Hook { point: point.to_owned(), bytes, action })
        })
        .collect()
}

/// Whether any hook is set (checked before work that only a hook needs).
pub fn enabled() -> bool {
    !hooks().is_empty()
}

/// Marks `point` as reached.
pub async fn reached(point: &str) {
    if let Some(hook) = hooks().iter().find(|h| h.point == point && h.bytes.is_none()) {
        act(hook, point).await;
    }
}

/// Marks `point` as having handled `count` bytes so far; a `point@N` hook fires the first time
/// the count reaches N (`before` is the count at the previous call).
pub async fn bytes(point: &str, before: u64, count: u64) {
    let fires = |h: &Hook| h.point == point && h.bytes.is_some_and(|n| before < n && count >= n);
    if let Some(hook) = hooks().iter().find(|h| fires(h)) {
        act(hook, &format!("{point}@{}", hook.bytes.unwrap_or_default())).await;
    }
}

async fn act(hook: &Hook, label: &str) {
    eprintln!("quay test hook: {label}");
    match &hook.action {
        Action::Note => {}
        Action::Pause => std::future::pending::<()>().await,
        Action::Wait(gate) => {
            while !gate.exists() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_points_thresholds_and_actions() {
        let hooks = parse("a=pause, b@100=note,c=wait:/tmp/gate,bad,d@x=pause,e=explode");
        let seen: Vec<(&str, Option<u64>)> = hooks.iter().map(|h| (h.point.as_str(), h.bytes)).collect();
        assert_eq!(seen, [("a", None), ("b", Some(100)), ("c", None)]);
        assert!(matches!(&hooks[2].action, Action::Wait(p) if p == std::path::Path::new("/tmp/gate")));
    }
}
