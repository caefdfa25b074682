//! How many runs make a "no crash" verdict trustworthy.
//!
//! A commit that has the bug crashes with the bug's title with some chance
//! `p` per run (the reproduction rate). Runs are independent, so a commit
//! with the bug shows no bug crash in `n` runs with chance `(1 - p)^n`: that
//! is the chance of a false "no crash" verdict. `p` is not known, so the
//! engine uses a conservative value: the one-sided lower confidence bound
//! (Clopper–Pearson, [`CONFIDENCE`]) of the rate seen so far, and picks the
//! smallest `n` with `(1 - p_low)^n <= alpha`. With probability at least
//! [`CONFIDENCE`] the true rate is at least `p_low`, and then the chance of a
//! false verdict is at most `alpha`.

/// Confidence of the lower bound on the reproduction rate, for the verdicts
/// of bisection steps.
pub const CONFIDENCE: f64 = 0.8;

/// Confidence of the lower bound used to verify the verdict next to the
/// culprit (the last line of defence, so more conservative).
pub const VERIFY_CONFIDENCE: f64 = 0.95;

/// Most runs of one step: no more than a request may ask for.
pub const MAX_RUNS: u32 = bisect_log::job::MAX_RUNS;

/// P(X >= k) for X ~ Binomial(n, p).
fn binomial_sf(k: u32, n: u32, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    // Sum of the pmf from k to n, in log space for stability.
    let ln_p = p.ln();
    let ln_q = (1.0 - p).ln();
    let mut ln_choose = 0.0f64; // ln C(n, 0)
    let mut total = 0.0;
    for i in 0..=n {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        if i >= k {
            let term = ln_choose
                + if i == 0 { 0.0 } else { i as f64 * ln_p }
                + if i == n { 0.0 } else { (n - i) as f64 * ln_q };
            total += term.exp();
        }
    }
    total.min(1.0)
}

/// One-sided lower confidence bound of a rate after `k` successes in `n`
/// trials: the `p` with `P(X >= k | p) = 1 - confidence`.
pub fn lower_bound(k: u32, n: u32, confidence: f64) -> f64 {
    if k == 0 || n == 0 {
        return 0.0;
    }
    let k = k.min(n);
    let target = 1.0 - confidence;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if binomial_sf(k, n, mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Smallest `n` with `(1 - p)^n <= alpha`, within `1..=MAX_RUNS`.
pub fn runs_needed(p: f64, alpha: f64) -> u32 {
    if p.is_nan() || p <= 0.0 {
        return MAX_RUNS;
    }
    if p >= 1.0 {
        return 1;
    }
    let n = (alpha.ln() / (1.0 - p).ln()).ceil();
    if n.is_finite() {
        (n as u32).clamp(1, MAX_RUNS)
    } else {
        MAX_RUNS
    }
}

/// Chance that `clean` runs without the bug's crash miss a rate-`p` bug.
pub fn miss_chance(p: f64, clean: u32) -> f64 {
    (1.0 - p).powi(clean.min(i32::MAX as u32) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        // 6 crashes out of 20: the 80% lower bound is below the estimate 0.3.
        let lo = lower_bound(6, 20, 0.8);
        assert!(lo > 0.18 && lo < 0.3, "{lo}");
        // Every run crashed: bound close to 1 but below it.
        let all = lower_bound(10, 10, 0.8);
        assert!(all > 0.8 && all < 1.0, "{all}");
        assert_eq!(lower_bound(0, 10, 0.8), 0.0);
        // P(X >= k) at the bound is 1 - confidence.
        assert!((binomial_sf(6, 20, lo) - 0.2).abs() < 1e-6);
    }

    #[test]
    fn needed() {
        assert_eq!(runs_needed(0.3, 0.05), 9); // 0.7^9 = 0.040
        assert_eq!(runs_needed(1.0, 0.05), 1);
        assert_eq!(runs_needed(0.0, 0.05), MAX_RUNS);
        assert!(miss_chance(0.3, 9) < 0.05 && miss_chance(0.3, 8) > 0.05);
    }
}
