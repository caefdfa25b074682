//! `format!("{v:.N}")` without core's float formatting. The viewer's bundle
//! carries core's float printing (Grisu, Dragon4 and their tables, about
//! 6 KB gzip) only because of `{:.N}` and `{}`; the log prints its
//! probabilities with `%.Nf` and the reports use a few decimals, which exact
//! integer arithmetic covers.

/// `v` with `decimals` digits after the point, exactly as `{v:.decimals$}`
/// prints it: the exact binary value rounded half to even, the sign of
/// negative zero kept.
pub fn fixed(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let bits = v.abs().to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1_u64 << 52) - 1);
    // v = m * 2^e exactly.
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1_u64 << 52), exp - 1075)
    };
    let mut digits = if e >= 0 {
        // An integer: its digits, then zeros for the decimals.
        let mut s = integer_digits(m, e.unsigned_abs());
        s.push_str(&"0".repeat(decimals));
        s
    } else {
        scaled_fraction(m, e.unsigned_abs(), decimals)
    };
    if decimals > 0 {
        if digits.len() <= decimals {
            digits = format!("{}{digits}", "0".repeat(decimals + 1 - digits.len()));
        }
        digits.insert(digits.len() - decimals, '.');
    }
    format!("{sign}{digits}")
}

/// `round_half_even(m * 10^decimals / 2^shift)` in decimal.
fn scaled_fraction(m: u64, shift: u32, decimals: usize) -> String {
    // m < 2^53 and 10^decimals < 2^(3.33 * decimals): u128 holds the product
    // up to 22 decimals; more go through the digit vector.
    if decimals <= 22 {
        let scaled = u128::from(m) * 10_u128.pow(decimals as u32);
        let n = if shift >= 128 {
            0
        } else {
            let q = scaled >> shift;
            let r = scaled - (q << shift);
            let half = 1_u128 << (shift - 1);
            if r > half || (r == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        };
        return n.to_string();
    }
    // Long: m * 10^decimals as decimal digits, halved `shift` times while
    // tracking the exact remainder for the final rounding.
    let mut d = decimal_digits(m);
    for _ in 0..decimals {
        mul_small(&mut d, 10);
    }
    let mut sticky = false;
    let mut last = 0;
    for _ in 0..shift {
        let rem = div2(&mut d);
        if last == 1 {
            sticky = true;
        }
        last = rem;
    }
    // `last` is the half bit, `sticky` any bit below it.
    let odd = d.first().is_some_and(|x| x & 1 == 1);
    if last == 1 && (sticky || odd) {
        add_one(&mut d);
    }
    to_string(&d)
}

/// `m * 2^e` in decimal.
fn integer_digits(m: u64, e: u32) -> String {
    let mut d = decimal_digits(m);
    for _ in 0..e {
        mul_small(&mut d, 2);
    }
    to_string(&d)
}

/// Little-endian decimal digits.
fn decimal_digits(mut m: u64) -> Vec<u8> {
    let mut d = Vec::new();
    while m > 0 {
        d.push((m % 10) as u8);
        m /= 10;
    }
    d
}

fn mul_small(d: &mut Vec<u8>, k: u8) {
    let mut carry = 0;
    for x in d.iter_mut() {
        let v = *x * k + carry;
        *x = v % 10;
        carry = v / 10;
    }
    if carry > 0 {
        d.push(carry);
    }
}

/// Halves `d`, returning the remainder bit.
fn div2(d: &mut Vec<u8>) -> u8 {
    let mut rem = 0;
    for x in d.iter_mut().rev() {
        let v = rem * 10 + *x;
        *x = v / 2;
        rem = v % 2;
    }
    while d.last() == Some(&0) {
        d.pop();
    }
    rem
}

fn add_one(d: &mut Vec<u8>) {
    for x in d.iter_mut() {
        if *x == 9 {
            *x = 0;
        } else {
            *x += 1;
            return;
        }
    }
    d.push(1);
}

fn to_string(d: &[u8]) -> String {
    if d.is_empty() {
        return "0".to_string();
    }
    d.iter().rev().map(|x| char::from(b'0' + x)).collect()
}

#[cfg(test)]
mod tests {
    use super::fixed;

    fn check(v: f64) {
        for d in 0..=8 {
            assert_eq!(fixed(v, d), format!("{v:.d$}"), "{v:?} {d}");
        }
    }

    #[test]
    fn prints_like_format() {
        for v in [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -2.5,
            0.25,
            0.35,
            0.125,
            0.001,
            0.0005,
            0.9995,
            99.95,
            1e15,
            1e22,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            123456.789,
            1.0 / 3.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            check(v);
        }
        for i in 0..20_000 {
            check(f64::from(i) / 1000.0);
            check(f64::from(i) / 8.0);
            check(f64::from(i) * 0.37);
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.abs() < 1e30 {
                check(v);
            }
            check(f64::from_bits(x >> 12) * 1e-9);
        }
        assert_eq!(fixed(0.5, 30), format!("{:.30}", 0.5));
        assert_eq!(fixed(0.1, 40), format!("{:.40}", 0.1));
        assert_eq!(fixed(2.5e-30, 40), format!("{:.40}", 2.5e-30));
    }
}
