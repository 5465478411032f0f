//! Exponential backoff with jitter for retried deliveries.
use std::time::Duration;

/// Delay before attempt `attempt + 1`, after `attempt` failures: `base * 2^(attempt-1)`
/// capped at `max`, then scaled by `jitter` in [0.8, 1.2) so that retries spread out.
pub fn delay(attempt: i32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = attempt.clamp(1, 30) - 1;
    let raw = base.as_secs_f64() * 2f64.powi(exp);
    let capped = raw.min(max.as_secs_f64());
    Duration::from_secs_f64(capped * jitter.clamp(0.8, 1.2))
}

pub fn random_jitter() -> f64 {
    0.8 + rand::random::<f64>() * 0.4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_up_to_the_cap() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        let secs: Vec<u64> = (1..=9).map(|a| delay(a, base, max, 1.0).as_secs()).collect();
        assert_eq!(secs, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let d = delay(2, Duration::from_secs(100), Duration::from_secs(10_000), 1.5);
        assert_eq!(d.as_secs(), 240);
        for _ in 0..100 {
            let j = random_jitter();
            assert!((0.8..1.2).contains(&j));
        }
    }
}
