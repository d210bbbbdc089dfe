//! The segment file: a batch of signed events as one immutable file on a remote.
//!
//! ```text
//! relm-segment 1
//! {"count":2,"ranges":[["<author key id>",4,5]],"replica":"<replica id>","workspace":"<id>"}
//! <signature, base64url> <canonical event body>
//! <signature, base64url> <canonical event body>
//! end 2 <SHA-256 hex of every byte above this line>
//! ```
//!
//! Canonical bodies never contain a raw newline, so one event is one line. The `end` line makes
//! a file that is still being copied recognisable (no `end` yet): it is retried on the next sync,
//! not judged. The digest tells that a complete file was changed afterwards; its events are still
//! checked one by one, so the altered event itself is named.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MAGIC: &str = "relm-segment";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub count: usize,
    /// For each author: the first and last sequence number in the file.
    pub ranges: Vec<(String, u64, u64)>,
    pub replica: String,
    pub workspace: String,
}

/// One event line: body and signature bytes, with its line number (1-based) for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub body: Vec<u8>,
    pub sig: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Complete {
        header: Header,
        events: Vec<Line>,
        /// Lines that are not events (garbled), raw, with what is wrong.
        bad_lines: Vec<(Line, String)>,
        /// The file changed after it was written (digest or count do not match).
        altered: bool,
    },
    /// The file is still being written or copied; look again on the next sync.
    Incomplete,
    /// Not a segment (or a format this version does not read).
    Foreign(String),
}

pub fn encode(header: &Header, events: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = format!("{MAGIC} {VERSION}\n").into_bytes();
    // A header of strings and integers always serialises.
    out.extend(serde_json::to_vec(header).unwrap_or_default());
    out.push(b'\n');
    for (body, sig) in events {
        out.extend(B64.encode(sig).as_bytes());
        out.push(b' ');
        out.extend_from_slice(body);
        out.push(b'\n');
    }
    let digest = hex::encode(Sha256::digest(&out));
    out.extend(format!("end {} {digest}\n", events.len()).as_bytes());
    out
}

pub fn parse(bytes: &[u8]) -> Parsed {
    let magic = format!("{MAGIC} ");
    if bytes.len() < magic.len() {
        return if magic.as_bytes().starts_with(bytes) {
            Parsed::Incomplete
        } else {
            Parsed::Foreign("not a Relm segment file".into())
        };
    }
    if !bytes.starts_with(magic.as_bytes()) {
        return Parsed::Foreign("not a Relm segment file".into());
    }
    // The last line must be a complete `end N DIGEST` line.
    let Some(body_end) = trailer_start(bytes) else {
        return Parsed::Incomplete;
    };
    let trailer = &bytes[body_end..bytes.len() - 1];
    let Some((count, digest)) = parse_trailer(trailer) else {
        return Parsed::Incomplete;
    };
    let content = &bytes[..body_end];
    let mut lines = content.split(|&b| b == b'\n');
    let first = lines.next().unwrap_or_default();
    let version = &first[magic.len()..];
    if version != VERSION.to_string().as_bytes() {
        return Parsed::Foreign(format!(
            "segment format `{}` is not understood by this version of Relm; upgrade Relm",
            String::from_utf8_lossy(version)
        ));
    }
    let header: Header = match lines.next().map(serde_json::from_slice) {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Parsed::Foreign(format!("segment header does not parse: {e}")),
        None => return Parsed::Foreign("segment has no header".into()),
    };
    let mut events = Vec::new();
    let mut bad_lines = Vec::new();
    for (i, line) in lines.enumerate() {
        let number = i + 3;
        if line.is_empty() {
            continue; // the split after the last newline
        }
        let raw = || Line {
            number,
            body: line.to_vec(),
            sig: Vec::new(),
        };
        let Some(space) = line.iter().position(|&b| b == b' ') else {
            bad_lines.push((raw(), "an event line needs `SIGNATURE BODY`".to_string()));
            continue;
        };
        match B64.decode(&line[..space]) {
            Ok(sig) => events.push(Line {
                number,
                body: line[space + 1..].to_vec(),
                sig,
            }),
            Err(e) => bad_lines.push((raw(), format!("signature is not base64url: {e}"))),
        }
    }
    let altered = hex::encode(Sha256::digest(content)) != digest
        || count != events.len() + bad_lines.len()
        || header.count != count;
    Parsed::Complete {
        header,
        events,
        bad_lines,
        altered,
    }
}

/// Start of the last line when the file ends with a newline-terminated `end ` line.
fn trailer_start(bytes: &[u8]) -> Option<usize> {
    if bytes.last() != Some(&b'\n') {
        return None;
    }
    let body = &bytes[..bytes.len() - 1];
    let start = body.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    bytes[start..].starts_with(b"end ").then_some(start)
}

fn parse_trailer(line: &[u8]) -> Option<(usize, String)> {
    let text = std::str::from_utf8(line).ok()?;
    let mut parts = text.split(' ');
    let (Some("end"), Some(n), Some(digest), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let n = n.parse().ok()?;
    (digest.len() == 64).then(|| (n, digest.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(count: usize) -> Header {
        Header {
            count,
            ranges: vec![("00aa".into(), 1, count as u64)],
            replica: "r1".into(),
            workspace: "w".into(),
        }
    }

    fn sample() -> Vec<u8> {
        let events: Vec<(&[u8], &[u8])> =
            vec![(br#"{"a":1}"#, &[1u8; 64]), (br#"{"a":"x y"}"#, &[2u8; 64])];
        encode(&header(2), &events)
    }

    #[test]
    fn round_trips() {
        let Parsed::Complete {
            header: h,
            events,
            bad_lines,
            altered,
        } = parse(&sample())
        else {
            panic!("complete expected")
        };
        assert_eq!(h, header(2));
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].body, br#"{"a":"x y"}"#);
        assert_eq!(events[1].sig, vec![2u8; 64]);
        assert_eq!(events[1].number, 4);
        assert!(bad_lines.is_empty() && !altered);
    }

    proptest! {
        /// Any strict prefix of a segment (a copy in progress) is incomplete, never judged.
        #[test]
        fn every_prefix_is_incomplete(cut in 0usize..10_000) {
            let s = sample();
            let cut = cut % s.len();
            prop_assert_eq!(parse(&s[..cut]), Parsed::Incomplete);
        }
    }

    #[test]
    fn a_changed_byte_marks_the_file_altered_and_keeps_the_events() {
        let mut s = sample();
        let at = s.windows(3).position(|w| w == b"x y").unwrap();
        s[at] = b'z';
        let Parsed::Complete {
            events, altered, ..
        } = parse(&s)
        else {
            panic!("complete expected")
        };
        assert!(altered);
        assert_eq!(events[1].body, br#"{"a":"z y"}"#);
    }

    #[test]
    fn garbage_and_unknown_versions_are_foreign_and_garbled_lines_are_named() {
        assert!(matches!(
            parse(b"hello world, this is not it\n"),
            Parsed::Foreign(_)
        ));
        assert!(matches!(parse(b"\x00\x01\x02"), Parsed::Foreign(_)));
        let v2 =
            String::from_utf8(sample())
                .unwrap()
                .replacen("relm-segment 1", "relm-segment 2", 1);
        match parse(v2.as_bytes()) {
            Parsed::Foreign(m) => assert!(m.contains("upgrade"), "{m}"),
            other => panic!("{other:?}"),
        }
        let broken_header =
            String::from_utf8(sample())
                .unwrap()
                .replacen("{\"count\"", "{\"cout\"", 1);
        assert!(matches!(
            parse(broken_header.as_bytes()),
            Parsed::Foreign(_)
        ));
        let garbled = String::from_utf8(sample())
            .unwrap()
            .replacen("AQEB", "!!!!", 1);
        let Parsed::Complete {
            events,
            bad_lines,
            altered,
            ..
        } = parse(garbled.as_bytes())
        else {
            panic!("complete expected")
        };
        assert_eq!((events.len(), bad_lines.len(), altered), (1, 1, true));
        assert_eq!(bad_lines[0].0.number, 3);
    }
}
