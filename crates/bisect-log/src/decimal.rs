//! Decimals in and out without core's float parsing and formatting. The
//! viewer's bundle carried core's float printing (Grisu, Dragon4 and their
//! tables, about 6 KB gzip) only because of `{:.N}` and `{}`, and its float
//! parsing (a 20 KB table of powers of five, about 20 KB gzip) only for the
//! log's short decimals; the log prints probabilities with `%.Nf` and
//! durations with a few digits, which exact integer arithmetic covers.

/// Powers of ten that `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal (`123`, `0.05`, `21.574839201`: digits with at most one
/// point, no sign or exponent) as `str::parse::<f64>` reads it, when it has
/// at most 15 significant digits and 22 after the point — all the log
/// prints. Then `digits / 10^k` is one correctly rounded division of two
/// exact values, which is the correctly rounded value of the decimal, so
/// the result equals `parse`'s. Anything else is `None`.
pub fn parse(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut m: u64 = 0;
    let mut digits = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        if m > 0 || b != b'0' {
            digits += 1;
        }
        m = m * 10 + u64::from(b - b'0');
        if digits > 15 {
            return None;
        }
    }
    let scale = POW10.get(frac.len())?;
    Some(m as f64 / scale)
}

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
    use super::{fixed, parse};

    #[test]
    fn parses_like_str_parse() {
        let mut cases: Vec<String> = [
            "0",
            "0.0",
            "00.50",
            "1",
            "0.05",
            "0.1",
            "0.2",
            "0.3",
            "21.574839201",
            "4.5",
            "999999999999999",
            "0.000000000000000000001",
            "123456.789012345",
            ".5",
            "5.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 1_000_000_000_000_000).to_string();
            let point = (x >> 50) as usize % (digits.len() + 1);
            cases.push(format!("{}.{}", &digits[..point], &digits[point..]));
        }
        for s in &cases {
            assert_eq!(parse(s), s.parse::<f64>().ok(), "{s}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_read_exactly() {
        for s in [
            "",
            ".",
            "-1",
            "+1",
            "1e5",
            "1.2.3",
            "0x10",
            " 1",
            "1234567890123456",
            "1.00000000000000000000001",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

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
