//! Number formatting without core's shortest-float code (Grisu and Dragon4,
//! about 3 KB gzip of the bundle) for the few places that print an `f64`
//! with `{}` (a probability, pixel offsets in styles).

/// `v` as `format!("{v}")` prints it. The fewest decimals whose rounding
/// divides back to exactly `v` (a division of two exactly representable
/// integers is correctly rounded, so a match reads back as `v`, which is what
/// `{}` guarantees); the rest — more digits than an f64 integer holds
/// exactly — goes to JavaScript's `Number#toString`, the same shortest digits
/// and the same notation between 1e-6 and 1e21, which covers everything the
/// viewer prints.
pub fn shortest(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let a = v.abs();
    // Below 2^53 every integer is an exact f64, so the test above is exact.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let mut pow = 1.0_f64;
    for k in 0..=17_u32 {
        let n = (a * pow).round();
        if n >= EXACT {
            break;
        }
        if n / pow == a {
            return format!("{sign}{}", decimals(n as u64, k));
        }
        pow *= 10.0;
    }
    long(v)
}

#[cfg(target_arch = "wasm32")]
fn long(v: f64) -> String {
    js_sys::Number::from(v)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

// Natively (tests) size does not matter.
#[cfg(not(target_arch = "wasm32"))]
fn long(v: f64) -> String {
    format!("{v}")
}

/// `n / 10^k` written out, trailing zeros of the fraction dropped.
fn decimals(n: u64, k: u32) -> String {
    let mut s = n.to_string();
    if k == 0 {
        return s;
    }
    let k = k as usize;
    if s.len() <= k {
        s = format!("{}{s}", "0".repeat(k + 1 - s.len()));
    }
    s.insert(s.len() - k, '.');
    let trimmed = s.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::shortest;

    #[test]
    fn prints_like_display() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            0.001,
            0.05,
            0.1,
            0.2,
            0.3,
            0.125,
            0.999,
            1.5,
            12.25,
            0.07,
            0.123,
            0.0001,
            100.0,
            123456.789,
            1e15,
            0.1 + 0.2,
            1.5e-7,
            8_000_000.0,
            4242.424242,
            17.999999999999996,
        ];
        for v in values {
            assert_eq!(shortest(v), format!("{v}"), "{v:?}");
        }
        for i in 0..=100_000 {
            let v = f64::from(i) / 1000.0;
            assert_eq!(shortest(v), format!("{v}"), "{v:?}");
            let px = f64::from(i) * 18.0 / 7.0;
            assert_eq!(shortest(px), format!("{px}"), "{px:?}");
        }
        assert_eq!(shortest(f64::NAN), "NaN");
        assert_eq!(shortest(f64::INFINITY), "inf");
        assert_eq!(shortest(f64::NEG_INFINITY), "-inf");
    }
}
