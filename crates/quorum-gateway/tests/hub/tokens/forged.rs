//! Forged session tokens: well-formed ones the hub never issued, and malformed shapes.

use super::{Kind, Presented};

/// The `n`th forged token: three in four well-formed (`qs_` and 43 random URL-safe
/// characters), the fourth one of sixteen malformed shapes in turn. `real` is a real
/// token, one character of which a shape changes.
pub(super) fn token(n: usize, real: &str) -> Presented {
    let random = random_chars(43);
    let (head, tail) = random.split_at(42);
    let whole = random.clone();
    let (token, secret) = match n / 4 % 16 {
        _ if n % 4 != 3 => (format!("qs_{random}"), whole),
        0 => (format!("qc_{random}"), whole),
        1 => (format!("qx_{random}"), whole),
        2 => (format!("QS_{random}"), whole),
        3 => (format!("qs_{head}"), head.to_owned()),
        4 => (format!("qs_{random}A"), whole),
        5 => (format!("qs_{head}+"), head.to_owned()),
        6 => (format!("qs_{head}="), head.to_owned()),
        7 => (format!("qs_{head}é"), head.to_owned()),
        8 => (format!("Bearer qs_{random}"), whole),
        9 => (format!(" qs_{random} "), whole),
        10 => (format!("qs_{random}\n"), whole),
        11 => (random, whole),
        12 => (format!("qs_{random}{random}"), whole),
        13 => {
            let at = 3 + usize::from(random.as_bytes()[0]) % 43;
            let same = real.as_bytes()[at] == tail.as_bytes()[0];
            let changed = if same { "A" } else { tail };
            let tampered = format!("{}{changed}{}", &real[..at], &real[at + 1..]);
            let body = tampered[3..].to_owned();
            (tampered, body)
        }
        14 => (format!("qs_{random}{}", random_chars(4_000)), whole),
        _ if (n / 64).is_multiple_of(2) => (String::new(), String::new()),
        _ => ("qs_".to_owned(), String::new()),
    };
    Presented {
        kind: Kind::Forged,
        token,
        secret: (!secret.is_empty()).then_some(secret),
        projector: false,
    }
}

/// `count` characters drawn uniformly from the URL-safe base64 alphabet.
fn random_chars(count: usize) -> String {
    const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = vec![0u8; count];
    getrandom::fill(&mut bytes).unwrap();
    let chars = bytes.iter().map(|byte| URL_SAFE[usize::from(byte % 64)]);
    chars.map(char::from).collect()
}
