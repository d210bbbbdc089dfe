//! Comparing package versions across ecosystems: semantic versions by their rules (a
//! pre-release before its release), anything else by its dotted parts, numbers as numbers.

use std::cmp::Ordering;

/// Order two versions of one package.
pub fn compare(a: &str, b: &str) -> Ordering {
    let clean = |v: &str| v.trim().trim_start_matches(['v', 'V']).to_string();
    let (a, b) = (clean(a), clean(b));
    if let (Ok(x), Ok(y)) = (semver::Version::parse(&a), semver::Version::parse(&b)) {
        return x.cmp(&y);
    }
    parts(&a).cmp(&parts(&b))
}

/// A version's parts: runs of digits (as numbers) and of other characters.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    // A letter run sorts before a number: `1.0rc1` < `1.0.1`.
    Text(String),
    Number(u128),
}

fn parts(v: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut digits = false;
    let flush = |run: &mut String, digits: bool, out: &mut Vec<Part>| {
        if !run.is_empty() {
            out.push(if digits {
                run.parse()
                    .map_or_else(|_| Part::Text(run.clone()), Part::Number)
            } else {
                Part::Text(run.to_lowercase())
            });
            run.clear();
        }
    };
    for c in v.chars() {
        if matches!(c, '.' | '-' | '_' | '+' | ':' | '~') {
            flush(&mut run, digits, &mut out);
            continue;
        }
        if !run.is_empty() && c.is_ascii_digit() != digits {
            flush(&mut run, digits, &mut out);
        }
        digits = c.is_ascii_digit();
        run.push(c);
    }
    flush(&mut run, digits, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_as_their_ecosystems_mean() {
        use Ordering::*;
        for (a, b, o) in [
            ("1.2.3", "1.10.0", Less),
            ("1.0.0-rc.1", "1.0.0", Less),
            ("v2.0.0", "2.0.0", Equal),
            ("3.0.7", "3.0.13", Less),
            ("1.1.1k", "1.1.1w", Less),
            ("2.31", "2.4", Greater),
            ("1.0", "1.0.1", Less),
            ("20240101", "20231231", Greater),
        ] {
            assert_eq!(compare(a, b), o, "{a} vs {b}");
            assert_eq!(compare(b, a), o.reverse(), "{b} vs {a}");
        }
    }
}
