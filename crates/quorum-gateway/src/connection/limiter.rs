//! A token bucket per connection: a sustained rate with a burst above it.

use std::time::Duration;

use tokio::time::Instant;

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Verdict {
    /// Go ahead.
    Allowed,
    /// Over the limit: try again after this long.
    Limited { retry_after: Duration },
}

/// Messages allowed per second, with a burst.
#[derive(Debug)]
pub(super) struct Limiter {
    per_second: f64,
    burst: f64,
    tokens: f64,
    refilled: Instant,
}

impl Limiter {
    pub(super) fn new(per_second: u32, burst: u32) -> Limiter {
        Limiter {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            tokens: f64::from(burst.max(1)),
            refilled: Instant::now(),
        }
    }

    /// Takes a token if there is one.
    pub(super) fn check(&mut self) -> Verdict {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Verdict::Allowed
        } else {
            let wait = (1.0 - self.tokens) / self.per_second;
            Verdict::Limited {
                retry_after: Duration::from_secs_f64(wait),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn allows_the_burst_then_the_rate() {
        let mut limiter = Limiter::new(10, 5);
        for _ in 0..5 {
            assert_eq!(limiter.check(), Verdict::Allowed);
        }
        assert!(matches!(limiter.check(), Verdict::Limited { .. }));
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(limiter.check(), Verdict::Allowed);
        assert!(matches!(limiter.check(), Verdict::Limited { .. }));
    }
}
