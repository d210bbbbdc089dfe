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
use relm_domain::limits::MAX_BODY;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};

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
    /// For a line longer than [`MAX_LINE`], of which `body` keeps only the start: the whole
    /// line's length and SHA-256.
    pub whole: Option<(usize, [u8; 32])>,
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

/// Longest event line read (a signed body is at most [`MAX_BODY`] bytes, plus its signature).
pub const MAX_LINE: usize = MAX_BODY + 128;
/// Largest segment file read; writers stay well below it (see `sync::SEGMENT_BYTES`).
pub const MAX_FILE: u64 = 64 << 20;
/// How much of an over-long or garbled line is kept, for the report.
const KEPT_PREFIX: usize = 4096;
const MAX_HEADER: usize = 1 << 20;

/// Parse a whole segment held in memory (tests, small files).
pub fn parse(bytes: &[u8]) -> Parsed {
    read(bytes).unwrap_or_else(|e| Parsed::Foreign(format!("cannot be read: {e}")))
}

/// One line as read: at most `max` bytes kept, whether it ended with a newline, whether it was
/// longer than `max` (the rest was skipped).
struct RawLine {
    bytes: Vec<u8>,
    ended: bool,
    cut: bool,
    /// The whole line's length, and for a cut line the SHA-256 of all of it.
    len: usize,
    cut_hash: Option<Sha256>,
}

/// Read the next line into at most `max` bytes, feeding every byte read to `hash`; `None` at
/// the end of the input.
fn next_line(
    r: &mut impl BufRead,
    max: usize,
    hash: &mut Sha256,
) -> std::io::Result<Option<RawLine>> {
    let mut line = RawLine {
        bytes: Vec::new(),
        ended: false,
        cut: false,
        len: 0,
        cut_hash: None,
    };
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(any.then_some(line));
        }
        any = true;
        let (chunk, ended) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        hash.update(chunk);
        let text = if ended {
            &chunk[..chunk.len() - 1]
        } else {
            chunk
        };
        let room = max.saturating_sub(line.bytes.len());
        if text.len() > room && line.cut_hash.is_none() {
            line.cut = true;
            line.cut_hash = Some(Sha256::new_with_prefix(&line.bytes));
        }
        if let Some(h) = &mut line.cut_hash {
            h.update(text);
        }
        line.len += text.len();
        line.bytes.extend_from_slice(&text[..text.len().min(room)]);
        let used = chunk.len();
        r.consume(used);
        if ended {
            line.ended = true;
            return Ok(Some(line));
        }
    }
}

/// Read a segment from a stream, holding at most one line of [`MAX_LINE`] bytes beyond the
/// events kept. A longer line is a bad line (its first bytes kept for the report); it never
/// makes the reader allocate more.
pub fn read(r: impl Read) -> std::io::Result<Parsed> {
    let mut r = BufReader::with_capacity(64 << 10, r);
    let mut hash = Sha256::new();
    let magic = format!("{MAGIC} ");
    let Some(first) = next_line(&mut r, 64, &mut hash)? else {
        return Ok(Parsed::Incomplete);
    };
    if !first.bytes.starts_with(magic.as_bytes()) {
        let n = first.bytes.len().min(magic.len());
        let a_start = !first.ended && !first.cut && magic.as_bytes()[..n] == first.bytes[..n];
        return Ok(if a_start {
            Parsed::Incomplete
        } else {
            Parsed::Foreign("not a Relm segment file".into())
        });
    }
    if !first.ended {
        return Ok(Parsed::Incomplete);
    }
    let version = &first.bytes[magic.len()..];
    if first.cut || version != VERSION.to_string().as_bytes() {
        return Ok(Parsed::Foreign(format!(
            "segment format `{}` is not understood by this version of Relm; upgrade Relm",
            String::from_utf8_lossy(version)
        )));
    }
    let header: Header = match next_line(&mut r, MAX_HEADER, &mut hash)? {
        None => return Ok(Parsed::Incomplete),
        Some(l) if !l.ended => return Ok(Parsed::Incomplete),
        Some(l) if l.cut => return Ok(Parsed::Foreign("segment header is too long".into())),
        Some(l) => match serde_json::from_slice(&l.bytes) {
            Ok(h) => h,
            Err(e) => {
                return Ok(Parsed::Foreign(format!(
                    "segment header does not parse: {e}"
                )));
            }
        },
    };
    let mut events = Vec::new();
    let mut bad_lines = Vec::new();
    // A line that starts with `end `: the trailer if nothing follows it.
    let mut trailer: Option<(Sha256, RawLine, usize)> = None;
    let mut number = 2;
    loop {
        let before = hash.clone();
        let Some(line) = next_line(&mut r, MAX_LINE, &mut hash)? else {
            break;
        };
        number += 1;
        if !line.ended {
            return Ok(Parsed::Incomplete);
        }
        if let Some((_, end, n)) = trailer.take() {
            bad_lines.push((
                kept(&end.bytes, n),
                "an `end` line before the end of the file".to_string(),
            ));
        }
        if !line.cut && line.bytes.starts_with(b"end ") {
            trailer = Some((before, line, number));
            continue;
        }
        event_line(line, number, &mut events, &mut bad_lines);
    }
    let Some((content_hash, end, _)) = trailer else {
        return Ok(Parsed::Incomplete);
    };
    let Some((count, digest)) = parse_trailer(&end.bytes) else {
        return Ok(Parsed::Incomplete);
    };
    let altered = hex::encode(content_hash.finalize()) != digest
        || count != events.len() + bad_lines.len()
        || header.count != count;
    Ok(Parsed::Complete {
        header,
        events,
        bad_lines,
        altered,
    })
}

/// The start of a line that is not an event, kept for the report.
fn kept(bytes: &[u8], number: usize) -> Line {
    Line {
        number,
        body: bytes[..bytes.len().min(KEPT_PREFIX)].to_vec(),
        sig: Vec::new(),
        whole: None,
    }
}

fn event_line(line: RawLine, number: usize, events: &mut Vec<Line>, bad: &mut Vec<(Line, String)>) {
    let why = if line.cut {
        format!("a line longer than {MAX_LINE} bytes, more than any event; only its start is kept")
    } else if line.bytes.is_empty() {
        "an empty line".to_string()
    } else if let Some(space) = line.bytes.iter().position(|&b| b == b' ') {
        match B64.decode(&line.bytes[..space]) {
            Ok(sig) => {
                let mut body = line.bytes;
                body.drain(..=space);
                events.push(Line {
                    number,
                    body,
                    sig,
                    whole: None,
                });
                return;
            }
            Err(e) => format!("signature is not base64url: {e}"),
        }
    } else {
        "an event line needs `SIGNATURE BODY`".to_string()
    };
    let mut kept = kept(&line.bytes, number);
    if let Some(h) = line.cut_hash {
        kept.whole = Some((line.len, h.finalize().into()));
    }
    bad.push((kept, why));
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        /// The reader takes anything a hostile folder can hold: any bytes, or a valid segment
        /// with bytes flipped, cut or inserted. It never panics, and what it keeps of a line is
        /// bounded.
        #[test]
        fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            check_bounded(&parse(&bytes));
        }

        #[test]
        fn any_mutation_of_a_segment_is_read_without_panic(
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8)
        ) {
            let mut s = sample();
            for (at, byte, how) in edits {
                let at = at % (s.len() + 1);
                match how {
                    0 if at < s.len() => s[at] = byte,
                    1 => s.insert(at, byte),
                    _ => s.truncate(at),
                }
            }
            check_bounded(&parse(&s));
        }
    }

    fn check_bounded(p: &Parsed) {
        if let Parsed::Complete {
            events, bad_lines, ..
        } = p
        {
            assert!(events.iter().all(|l| l.body.len() <= MAX_LINE));
            assert!(bad_lines.iter().all(|(l, _)| l.body.len() <= KEPT_PREFIX));
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_cut_and_measured_not_held() {
        let mut s = String::from_utf8(sample()).unwrap();
        let end = s.rfind("end ").unwrap();
        s.insert_str(end, &format!("{}\n", "x".repeat(MAX_LINE * 3)));
        let Parsed::Complete {
            events, bad_lines, ..
        } = parse(s.as_bytes())
        else {
            panic!("complete expected")
        };
        assert_eq!(events.len(), 2);
        let (line, why) = &bad_lines[0];
        assert!(why.contains("longer than"), "{why}");
        assert_eq!(line.body.len(), KEPT_PREFIX);
        let (len, digest) = line.whole.unwrap();
        assert_eq!(len, MAX_LINE * 3);
        assert_eq!(
            digest,
            <[u8; 32]>::from(Sha256::digest("x".repeat(MAX_LINE * 3)))
        );
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
