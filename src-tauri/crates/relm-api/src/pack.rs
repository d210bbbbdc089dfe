//! Evidence packs: a report with everything needed to check it, in one zip an auditor verifies
//! with nothing but the pack — no workspace, no keyring, no network.
//!
//! A pack holds the report (`report.pdf`), the signed events its facts rest on
//! (`events.ndjson`, their causal closure), the facts as CSV tables with a column dictionary
//! (`tables/`), the public keys of every member in the events (`keys.json`), a guide to checking
//! it by hand (`VERIFY.md`), and `manifest.json` — every other file with its SHA-256 and size,
//! the workspace, the ledger's head, the exporter and the time — signed by the exporter
//! (`manifest.sig`).
//!
//! The PDF carries the evidence digest (SHA-256 of `events.ndjson`) in its metadata and at the
//! foot of every page, and the manifest lists the PDF's own hash: each names the other without
//! a cycle. [`verify_pack`] checks every file against the manifest, the manifest's signature,
//! every event (signature, author chain, causal dependencies) by replaying them into a store in
//! memory, which also judges each signer's role at the point they signed, that the exporter is
//! a member, and that the tables and keys are exactly what the events say.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;

use base64::Engine as _;
use relm_domain::keys::{self, KeyId, PublicKey};
use relm_domain::payload::EventBody;
use relm_store::evidence::{self, tables};
use relm_store::{Connection, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, Result};
use crate::reports::{ReportOptions, write_whole};
use crate::session::Relm;
use relm_report::Lang as ReportLang;

/// The pack format this version writes and reads.
pub const FORMAT: &str = "relm-pack/1";
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
pub const REPORT: &str = "report.pdf";
pub const EVENTS: &str = "events.ndjson";
pub const KEYS: &str = "keys.json";
pub const GUIDE: &str = "VERIFY.md";
pub const DICTIONARY: &str = "tables/dictionary.csv";

/// A pack file larger than this is not read.
pub const MAX_PACK_BYTES: u64 = 4 << 30;
/// A file inside a pack larger than this (once inflated) is not read.
pub const MAX_ENTRY_BYTES: u64 = 1 << 30;
/// Files in a pack, at most.
pub const MAX_ENTRIES: usize = 64;

/// What `manifest.json` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// `relm-pack/1`.
    pub format: String,
    /// `release` or `period`.
    pub kind: String,
    /// The release id, or the period (`2026-01-01..2026-03-31`, with ` env=NAME` when filtered).
    pub subject: String,
    pub workspace: PackWorkspace,
    /// The exporter's ledger when the pack was made (more than the pack holds).
    pub ledger: PackLedger,
    pub exporter: PackExporter,
    /// When the pack was made (UTC, RFC 3339; `SOURCE_DATE_EPOCH` when set).
    pub exported_at: String,
    /// The report's language, `en` or `fr`.
    pub lang: String,
    /// The releases the report covers (their facts are the tables').
    pub releases: Vec<String>,
    pub evidence: PackEvidence,
    /// Every file but the manifest and its signature.
    pub files: Vec<PackFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PackWorkspace {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PackLedger {
    /// Hash of the last event of the exporter's ledger.
    pub head: Option<String>,
    pub events: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PackExporter {
    pub member: String,
    pub name: String,
    /// `ed25519:…`, the key `manifest.sig` verifies with.
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PackEvidence {
    pub path: String,
    /// `sha256:…` of the events file, printed on every page of the report.
    pub digest: String,
    pub events: u64,
    /// Hash of the last event in the file.
    pub head: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub path: String,
    /// Hex SHA-256.
    pub sha256: String,
    pub bytes: u64,
}

/// One public key of `keys.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    member: String,
    name: String,
    fingerprint: String,
    key: String,
    /// The same key as OpenSSL reads it.
    pem: String,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackWritten {
    pub path: String,
    pub bytes: u64,
    /// `sha256:…` of `manifest.json`, as recorded in the export's event.
    pub manifest: String,
    /// The evidence digest printed on every page of the report.
    pub digest: String,
    pub events: u32,
    pub files: u32,
    pub pages: u32,
}

fn internal(message: String) -> ApiError {
    ApiError::new(crate::error::ErrorCode::Internal, message)
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn lang_code(lang: ReportLang) -> &'static str {
    match lang {
        ReportLang::En => "en",
        ReportLang::Fr => "fr",
    }
}

/// The hash of the last event in ledger order.
fn ledger_head(conn: &Connection) -> Result<(Option<String>, u64)> {
    use relm_store::rusqlite::OptionalExtension as _;
    let head: Option<Vec<u8>> = conn
        .query_row(
            "SELECT hash FROM events ORDER BY hlc DESC, author DESC, seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(relm_store::StoreError::from)?;
    Ok((head.map(hex::encode), relm_store::events::count(conn)?))
}

/// A pack's events, checked: the ledger as the file holds it, the facts rebuilt from it, and
/// the problems (each naming its line or event).
struct Replayed {
    ledger: Store,
    facts: Store,
    events: u64,
    problems: Vec<PackProblem>,
}

/// Read an events file (as written by [`evidence::events_file`]) and check it as `relm audit
/// verify` checks a workspace: every event inserted as it came (a line that is not an event,
/// whose readable fields disagree with its signed body, or that repeats another is named),
/// then every signature, author chain, causal dependency and authority replayed in ledger
/// order, the facts rebuilt on the way.
fn replay_pack(file: &[u8]) -> Result<Replayed> {
    use rayon::prelude::*;
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Line {
        id: String,
        author: String,
        seq: u64,
        kind: String,
        body: String,
        sig: String,
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let lines: Vec<(usize, &[u8])> = file
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, raw)| !raw.is_empty())
        .collect();
    type Parsed = (
        relm_domain::event::SignedEvent,
        EventBody,
        Option<PublicKey>,
    );
    let checked: Vec<std::result::Result<Parsed, PackProblem>> = lines
        .par_iter()
        .map(|(n, raw)| {
            let bad = |code: &str, message: String| PackProblem {
                subject: format!("{EVENTS} line {}", n + 1),
                code: code.into(),
                message,
            };
            let line: Line = serde_json::from_slice(raw)
                .map_err(|e| bad("bad_line", format!("not an event line: {e}")))?;
            let (Ok(body), Ok(sig)) = (b64.decode(&line.body), b64.decode(&line.sig)) else {
                return Err(bad(
                    "bad_line",
                    "its body or signature is not base64".into(),
                ));
            };
            let ev = relm_domain::event::SignedEvent::from_stored(body, &sig)
                .map_err(|e| bad("bad_event", format!("event {}: {e}", line.id)))?;
            let env = &ev.envelope;
            if env.id.0 != line.id
                || env.author.0 != line.author
                || env.seq != line.seq
                || env.kind != line.kind
            {
                return Err(bad(
                    "line_mismatch",
                    format!(
                        "the line says event {} ({} #{}, {}) but its signed body says otherwise",
                        line.id, line.author, line.seq, line.kind
                    ),
                ));
            }
            let body = ev
                .body()
                .map_err(|e| bad("bad_event", format!("event {}: {e}", line.id)))?;
            // The keys the events introduce: an author's id is its key's digest, so a
            // signature checked with the key of that id is its author's, whoever introduced it.
            let introduced = match &body {
                EventBody::WorkspaceCreated { founder: m, .. }
                | EventBody::MemberAdded { member: m, .. } => Some(m.key),
                _ => None,
            };
            Ok((ev, body, introduced))
        })
        .collect();
    let known: std::collections::HashMap<KeyId, PublicKey> = checked
        .iter()
        .filter_map(|c| c.as_ref().ok().and_then(|(_, _, k)| *k))
        .map(|k| (k.key_id(), k))
        .collect();
    let mut problems = Vec::new();
    let mut ledger = Store::open_in_memory()?;
    // A bulk load: the index by entity is built once at the end, not kept up event by event.
    ledger
        .conn()
        .execute_batch("DROP INDEX events_by_entity;")?;
    let mut events = 0u64;
    // The events go into the ledger on this thread while the other cores check signatures.
    let (inserted, forged) = rayon::join(
        || {
            ledger.write(|tx| -> Result<(Vec<PackProblem>, Vec<bool>)> {
                let mut found = Vec::new();
                let mut kept = vec![false; checked.len()];
                for (i, c) in checked.iter().enumerate() {
                    match c {
                        Err(p) => found.push(p.clone()),
                        Ok((ev, body, _)) => {
                            match relm_store::events::insert(tx, ev, body.entity().as_deref()) {
                                Ok(()) => {
                                    events += 1;
                                    kept[i] = true;
                                }
                                Err(relm_store::StoreError::Conflict(_)) => {
                                    found.push(PackProblem {
                                        subject: ev.envelope.id.0.clone(),
                                        code: "duplicate".into(),
                                        message: format!(
                                            "{} #{} appears twice (or two events claim that place in its chain)",
                                            ev.envelope.author, ev.envelope.seq
                                        ),
                                    })
                                }
                                Err(e) => return Err(e.into()),
                            }
                        }
                    }
                }
                Ok((found, kept))
            })
        },
        || {
            let known = &known;
            let signed: Vec<&relm_domain::event::SignedEvent> = checked
                .iter()
                .filter_map(|c| c.as_ref().ok().map(|(ev, _, _)| ev))
                .filter(|ev| known.contains_key(&ev.envelope.author))
                .collect();
            signed
                .par_chunks(256)
                .flat_map_iter(|chunk| {
                    let ks: Vec<_> = chunk.iter().map(|e| known[&e.envelope.author].0).collect();
                    let bodies: Vec<&[u8]> = chunk.iter().map(|e| e.body.as_slice()).collect();
                    let sigs: Vec<_> = chunk.iter().map(|e| e.signature).collect();
                    let all_good = keys::verify_batch(&ks, &bodies, &sigs);
                    chunk
                        .iter()
                        .filter(move |e| {
                            !all_good && !e.verify_signature(&known[&e.envelope.author])
                        })
                        .map(|e| PackProblem {
                            subject: e.envelope.id.0.clone(),
                            code: "bad_signature".into(),
                            message: "the signature does not match the event's content and author key (altered or forged)".into(),
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        },
    );
    let (refused, kept) = inserted?;
    ledger
        .conn()
        .execute_batch("CREATE INDEX events_by_entity ON events (entity, hlc);")?;
    problems.extend(refused);
    problems.extend(forged);
    let parsed: Vec<(relm_domain::event::SignedEvent, EventBody)> = checked
        .into_iter()
        .zip(kept)
        .filter_map(|(c, kept)| c.ok().filter(|_| kept).map(|(ev, body, _)| (ev, body)))
        .collect();
    let (report, facts) = relm_store::verify::verify_rebuilding(&ledger, true, Some(parsed))?;
    problems.extend(report.problems.into_iter().map(|p| PackProblem {
        subject: p.event,
        code: p.code,
        message: p.message,
    }));
    Ok(Replayed {
        ledger,
        facts,
        events,
        problems,
    })
}

/// `keys.json`: every key the events introduce, with its member's name.
fn keys_file(conn: &Connection) -> Result<Vec<u8>> {
    let people = relm_store::projection::governance::people(conn)?;
    let mut entries: Vec<KeyEntry> = relm_store::projection::members::known_keys(conn)?
        .into_iter()
        .map(|(id, key)| KeyEntry {
            name: people.get(&id).map(|p| p.name.clone()).unwrap_or_default(),
            fingerprint: id.fingerprint(),
            member: id.0,
            key: key.to_string(),
            pem: keys::public_pem(&key),
        })
        .collect();
    entries.sort_by(|a, b| a.member.cmp(&b.member));
    let mut out =
        serde_json::to_vec_pretty(&entries).map_err(|e| internal(format!("keys.json: {e}")))?;
    out.push(b'\n');
    Ok(out)
}

/// The files a pack's replayed events determine: the tables, the dictionary and the keys.
fn derived_files(r: &Replayed, releases: &[String]) -> Result<Vec<(String, Vec<u8>)>> {
    let conn = r.facts.conn();
    let mut files: Vec<(String, Vec<u8>)> = tables::tables(conn, r.ledger.conn(), releases)?
        .into_iter()
        .map(|(name, bytes)| (format!("tables/{name}.csv"), bytes))
        .collect();
    files.push((DICTIONARY.to_string(), tables::dictionary()?));
    files.push((KEYS.to_string(), keys_file(conn)?));
    Ok(files)
}

fn guide(manifest_kind: &str) -> Vec<u8> {
    format!(
        include_str!("pack_verify.md"),
        kind = manifest_kind,
        format = FORMAT,
        context = String::from_utf8_lossy(keys::PACK_CONTEXT).trim_end(),
    )
    .into_bytes()
}

/// A zip of `files` in order: deflated, each dated 1980-01-01 00:00 (the format's epoch), so
/// the same files give the same bytes.
fn zip_bytes(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let fail = |e: zip::result::ZipError| internal(format!("writing the pack: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (path, bytes) in files {
        w.start_file(path.as_str(), opts).map_err(fail)?;
        w.write_all(bytes)
            .map_err(|e| internal(format!("writing the pack: {e}")))?;
    }
    Ok(w.finish().map_err(fail)?.into_inner())
}

impl Relm {
    /// Write the evidence pack of `release` to `out`, and record the export in the ledger.
    pub fn write_release_pack(
        &mut self,
        release: &str,
        out: &Path,
        paper: relm_report::Paper,
        opts: &ReportOptions,
    ) -> Result<PackWritten> {
        let dossier = self.release_dossier(release, opts)?;
        let id = dossier.releases.concat();
        self.write_pack("release", &id, dossier, out, paper, opts)
    }

    /// Write the evidence pack of the period `from`–`to` (of `environment`, or every one).
    pub fn write_period_pack(
        &mut self,
        (from, to): (&str, &str),
        environment: Option<&str>,
        out: &Path,
        paper: relm_report::Paper,
        opts: &ReportOptions,
    ) -> Result<PackWritten> {
        let environment = environment.map(str::trim).filter(|e| !e.is_empty());
        let dossier = self.period_report(from, to, environment, opts)?;
        let subject = crate::report_period::period_subject(from, to, environment);
        self.write_pack("period", &subject, dossier, out, paper, opts)
    }

    fn write_pack(
        &mut self,
        kind: &str,
        subject: &str,
        dossier: crate::reports::Dossier,
        out: &Path,
        paper: relm_report::Paper,
        opts: &ReportOptions,
    ) -> Result<PackWritten> {
        let (pdf, pages) = crate::reports::pdf(&dossier.document, paper)?;
        let me = self.identity()?.member;
        let (workspace_id, workspace_name) = self.workspace()?;
        let (head, count) = ledger_head(self.store.conn())?;

        // The tables and keys come from the evidence alone, as the verifier rebuilds them.
        let replayed = replay_pack(&dossier.events_file)?;
        if let Some(p) = replayed.problems.first() {
            return Err(internal(format!(
                "the evidence does not stand on its own ({}: {}); run `relm audit verify`",
                p.subject, p.message
            )));
        }
        let evidence_head = ledger_head(replayed.ledger.conn())?.0;
        let mut files: Vec<(String, Vec<u8>)> =
            vec![(REPORT.into(), pdf), (EVENTS.into(), dossier.events_file)];
        files.extend(derived_files(&replayed, &dossier.releases)?);
        files.push((GUIDE.into(), guide(kind)));

        let manifest = Manifest {
            format: FORMAT.into(),
            kind: kind.into(),
            subject: subject.into(),
            workspace: PackWorkspace {
                id: workspace_id.0,
                name: workspace_name,
            },
            ledger: PackLedger {
                head,
                events: count,
            },
            exporter: PackExporter {
                member: me.key_id.clone(),
                name: me.name.clone(),
                key: me.public_key.clone(),
            },
            exported_at: relm_domain::window::fmt_utc(opts.at),
            lang: lang_code(opts.lang).into(),
            releases: dossier.releases.clone(),
            evidence: PackEvidence {
                path: EVENTS.into(),
                digest: dossier.document.digest.clone(),
                events: dossier.events as u64,
                head: evidence_head,
            },
            files: files
                .iter()
                .map(|(path, bytes)| PackFile {
                    path: path.clone(),
                    sha256: sha_hex(bytes),
                    bytes: bytes.len() as u64,
                })
                .collect(),
        };
        let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| internal(format!("manifest.json: {e}")))?;
        manifest_bytes.push(b'\n');
        let key = self.signing_key()?;
        let sig = keys::sign_pack(key.signing_key(), &manifest_bytes);
        let mut sig_text = base64::engine::general_purpose::STANDARD
            .encode(sig.to_bytes())
            .into_bytes();
        sig_text.push(b'\n');
        let manifest_digest = evidence::digest(&manifest_bytes);
        files.insert(0, (MANIFEST.into(), manifest_bytes));
        files.insert(1, (SIGNATURE.into(), sig_text));
        let bytes = zip_bytes(&files)?;
        write_whole(out, &bytes)?;
        self.emit(|_| {
            Ok(vec![EventBody::ReportExported {
                what: format!("{kind}-pack"),
                subject: subject.to_string(),
                digest: manifest_digest.clone(),
                evidence: dossier.document.digest.clone(),
                events: dossier.events as u32,
            }])
        })?;
        Ok(PackWritten {
            path: out.display().to_string(),
            bytes: bytes.len() as u64,
            manifest: manifest_digest,
            digest: dossier.document.digest,
            events: dossier.events as u32,
            files: files.len() as u32,
            pages,
        })
    }

    /// [`Relm::write_release_pack`] from a form's text (see [`Relm::report_release_file`]).
    pub fn pack_release_file(
        &mut self,
        release: &str,
        out: &Path,
        paper: &str,
        lang: &str,
        zone: Option<&str>,
    ) -> Result<PackWritten> {
        let (paper, opts) = self.report_form(paper, lang, zone)?;
        self.write_release_pack(release, out, paper, &opts)
    }

    /// [`Relm::write_period_pack`] from a form's text; times in `zone` (UTC when absent).
    pub fn pack_period_file(
        &mut self,
        (from, to): (&str, &str),
        environment: Option<&str>,
        out: &Path,
        (paper, lang, zone): (&str, &str, Option<&str>),
    ) -> Result<PackWritten> {
        let (paper, opts) = self.report_form(paper, lang, zone)?;
        self.write_period_pack((from, to), environment, out, paper, &opts)
    }
}

/// The outcome of checking a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PackStatus {
    /// Every check passed.
    Verified,
    /// A pack, but something in it fails (see the problems).
    NotVerified,
    /// Not a Relm evidence pack at all.
    NotAPack,
}

/// Something that fails, naming the file, line or event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackProblem {
    pub subject: String,
    pub code: String,
    pub message: String,
}

/// A file of the pack and whether it is the one the manifest lists.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackFileCheck {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    pub ok: bool,
}

/// A member who signed events of the pack, with the roles they hold at its end.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackSigner {
    pub member: String,
    pub name: String,
    pub fingerprint: String,
    pub roles: Vec<String>,
    pub events: u64,
}

/// An authentic event the ledger's rules gave no effect (a decision by someone without the
/// role, a change to a closed release…): a finding, not a failure; the tables leave it out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackFinding {
    pub event: String,
    pub kind: String,
    pub by: String,
    pub code: String,
    pub reason: String,
}

/// What [`verify_pack`] found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PackVerdict {
    pub status: PackStatus,
    pub ok: bool,
    pub path: String,
    pub manifest: Option<Manifest>,
    pub files: Vec<PackFileCheck>,
    /// Events checked.
    pub events: u64,
    pub signers: Vec<PackSigner>,
    pub not_applied: Vec<PackFinding>,
    pub problems: Vec<PackProblem>,
}

impl PackVerdict {
    fn not_a_pack(path: &Path, why: String) -> PackVerdict {
        PackVerdict {
            status: PackStatus::NotAPack,
            ok: false,
            path: path.display().to_string(),
            manifest: None,
            files: Vec::new(),
            events: 0,
            signers: Vec::new(),
            not_applied: Vec::new(),
            problems: vec![PackProblem {
                subject: path.display().to_string(),
                code: "not_a_pack".into(),
                message: why,
            }],
        }
    }
}

/// Open `path` for reading only if it is a regular file of bounded size (never a FIFO or a
/// device, which would block or never end).
fn open_regular(path: &Path) -> std::result::Result<std::fs::File, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_PACK_BYTES {
        return Err(format!(
            "it is {} bytes, more than a pack may be ({MAX_PACK_BYTES})",
            meta.len()
        ));
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc_nonblock());
    }
    let file = opts
        .open(path)
        .map_err(|e| format!("cannot open it: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    Ok(file)
}

#[cfg(unix)]
fn libc_nonblock() -> i32 {
    rustix::fs::OFlags::NONBLOCK.bits() as i32
}

/// Check the pack at `path` with nothing but the pack.
pub fn verify_pack(path: &Path) -> Result<PackVerdict> {
    let file = match open_regular(path) {
        Ok(f) => f,
        Err(why) => return Ok(PackVerdict::not_a_pack(path, why)),
    };
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(a) => a,
        Err(e) => {
            return Ok(PackVerdict::not_a_pack(
                path,
                format!("it is not a zip archive ({e})"),
            ));
        }
    };
    if archive.len() > MAX_ENTRIES {
        return Ok(PackVerdict::not_a_pack(
            path,
            format!(
                "it holds {} files, more than a pack may ({MAX_ENTRIES})",
                archive.len()
            ),
        ));
    }
    let mut problems: Vec<PackProblem> = Vec::new();
    let problem = |subject: &str, code: &str, message: String| PackProblem {
        subject: subject.to_string(),
        code: code.to_string(),
        message,
    };
    // Every file, read within bounds; a name twice, a folder, a link: named.
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                problems.push(problem(
                    &format!("file #{}", i + 1),
                    "unreadable",
                    format!("cannot be read from the zip: {e}"),
                ));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.to_string(),
            Err(e) => {
                problems.push(problem(
                    &format!("file #{}", i + 1),
                    "unsafe_entry",
                    format!("its name cannot be read: {e}"),
                ));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        if entry.is_symlink() || entry.enclosed_name().is_none() {
            problems.push(problem(
                &name,
                "unsafe_entry",
                "a link or a path outside the pack: not a file a pack holds".into(),
            ));
            continue;
        }
        if contents.contains_key(&name) {
            problems.push(problem(
                &name,
                "duplicate",
                "the zip holds two files of this name".into(),
            ));
            continue;
        }
        let mut bytes = Vec::new();
        let read = (&mut entry)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes);
        match read {
            Err(e) => problems.push(problem(
                &name,
                "damaged",
                format!("cannot be read from the zip (damaged): {e}"),
            )),
            Ok(_) if bytes.len() as u64 > MAX_ENTRY_BYTES => problems.push(problem(
                &name,
                "too_large",
                format!("larger than a pack's file may be ({MAX_ENTRY_BYTES} bytes)"),
            )),
            Ok(_) => {
                contents.insert(name, bytes);
            }
        }
    }
    let Some(manifest_bytes) = contents.get(MANIFEST).cloned() else {
        return Ok(PackVerdict::not_a_pack(
            path,
            format!("it holds no {MANIFEST}: not a Relm evidence pack"),
        ));
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            let mut v = PackVerdict::not_a_pack(
                path,
                format!("its {MANIFEST} is not a pack manifest: {e}"),
            );
            v.problems[0].subject = MANIFEST.into();
            return Ok(v);
        }
    };
    if manifest.format != FORMAT {
        return Ok(PackVerdict::not_a_pack(
            path,
            format!(
                "its format is `{}`; this version of Relm reads `{FORMAT}`",
                manifest.format
            ),
        ));
    }

    // The files against the manifest.
    let mut files = Vec::new();
    let mut listed = BTreeSet::new();
    for f in &manifest.files {
        listed.insert(f.path.clone());
        match contents.get(&f.path) {
            None => problems.push(problem(
                &f.path,
                "missing",
                "listed in the manifest but not in the pack".into(),
            )),
            Some(bytes) => {
                let sha = sha_hex(bytes);
                let ok = sha == f.sha256 && bytes.len() as u64 == f.bytes;
                if !ok {
                    problems.push(problem(
                        &f.path,
                        "changed",
                        format!(
                            "its SHA-256 is {sha} ({} bytes), the manifest says {} ({} bytes): changed since the pack was signed",
                            bytes.len(),
                            f.sha256,
                            f.bytes
                        ),
                    ));
                }
                files.push(PackFileCheck {
                    path: f.path.clone(),
                    bytes: bytes.len() as u64,
                    sha256: sha,
                    ok,
                });
            }
        }
    }
    for name in contents.keys() {
        if name != MANIFEST && name != SIGNATURE && !listed.contains(name) {
            problems.push(problem(
                name,
                "unlisted",
                "in the pack but not in the signed manifest: added after it was signed".into(),
            ));
        }
    }
    for required in [REPORT, EVENTS, KEYS, DICTIONARY, GUIDE] {
        if !listed.contains(required) {
            problems.push(problem(
                required,
                "missing",
                "every pack holds this file; the manifest does not list it".into(),
            ));
        }
    }

    // The signature, by the key the manifest names.
    let exporter_key = PublicKey::parse(&manifest.exporter.key).ok();
    match (&exporter_key, contents.get(SIGNATURE)) {
        (_, None) => problems.push(problem(
            SIGNATURE,
            "missing",
            "the pack holds no signature of its manifest".into(),
        )),
        (None, _) => problems.push(problem(
            MANIFEST,
            "bad_key",
            format!(
                "the exporter's key `{}` is not a Relm public key",
                manifest.exporter.key
            ),
        )),
        (Some(key), Some(sig)) => {
            let sig = base64::engine::general_purpose::STANDARD
                .decode(String::from_utf8_lossy(sig).trim())
                .ok()
                .and_then(|b| <[u8; 64]>::try_from(b).ok())
                .map(|b| ed25519_dalek::Signature::from_bytes(&b));
            let good = sig.is_some_and(|s| keys::verify_pack(key, &manifest_bytes, &s));
            if !good {
                problems.push(problem(
                    SIGNATURE,
                    "manifest_signature",
                    format!(
                        "it is not {}'s signature of this manifest: the manifest or the signature was changed",
                        manifest.exporter.name
                    ),
                ));
            }
            if key.key_id().0 != manifest.exporter.member {
                problems.push(problem(
                    MANIFEST,
                    "bad_key",
                    "the exporter's key is not the exporter's member id's".into(),
                ));
            }
        }
    }

    // The events, replayed.
    let events_bytes = contents.get(&manifest.evidence.path).cloned();
    let Some(events_bytes) = events_bytes else {
        problems.push(problem(
            &manifest.evidence.path,
            "missing",
            "the evidence file is not in the pack".into(),
        ));
        return Ok(finish(path, manifest, files, 0, None, problems));
    };
    // Its SHA-256 was taken with the other files'.
    let events_digest = files
        .iter()
        .find(|f| f.path == manifest.evidence.path)
        .map(|f| format!("sha256:{}", f.sha256))
        .unwrap_or_else(|| evidence::digest(&events_bytes));
    if events_digest != manifest.evidence.digest {
        problems.push(problem(
            &manifest.evidence.path,
            "changed",
            "its digest is not the evidence digest the manifest (and the report) gives".into(),
        ));
    }
    let replayed = replay_pack(&events_bytes)?;
    let count = replayed.events;
    problems.extend(replayed.problems.iter().cloned());
    let conn = replayed.facts.conn();
    let workspace: Option<String> = conn
        .query_row("SELECT id FROM workspace", [], |r| r.get(0))
        .ok();
    if workspace.as_deref() != Some(manifest.workspace.id.as_str()) {
        problems.push(problem(
            &manifest.evidence.path,
            "other_workspace",
            format!(
                "the events are not those of workspace {} (they are of {})",
                manifest.workspace.id,
                workspace
                    .as_deref()
                    .unwrap_or("none: no workspace creation among them")
            ),
        ));
    }
    let (head, _) = ledger_head(replayed.ledger.conn())?;
    if head != manifest.evidence.head || count != manifest.evidence.events {
        problems.push(problem(
            &manifest.evidence.path,
            "changed",
            "its events are not the ones the manifest counts".into(),
        ));
    }
    // The exporter: a member in the pack's ledger when it ends.
    let people = relm_store::projection::governance::people(conn)?;
    let exporter = people.get(&KeyId(manifest.exporter.member.clone()));
    match exporter {
        Some(p) if p.active => {}
        Some(_) => problems.push(problem(
            MANIFEST,
            "exporter_removed",
            format!(
                "the exporter {} is no longer a member at the end of the pack's events",
                manifest.exporter.name
            ),
        )),
        None => problems.push(problem(
            MANIFEST,
            "exporter_unknown",
            format!(
                "the exporter {} ({}) is not a member of the workspace in the pack's events: the pack was not made by one of its members",
                manifest.exporter.name, manifest.exporter.member
            ),
        )),
    }

    // The PDF names the evidence.
    if let Some(pdf) = contents.get(REPORT) {
        match relm_report::carried_digest(pdf) {
            Some(d) if d == manifest.evidence.digest => {}
            Some(d) => problems.push(problem(
                REPORT,
                "other_evidence",
                format!(
                    "the report rests on evidence {d}, not on this pack's ({})",
                    manifest.evidence.digest
                ),
            )),
            None => problems.push(problem(
                REPORT,
                "not_a_report",
                "it is not a Relm report (no evidence digest in its metadata)".into(),
            )),
        }
    }

    // The tables and keys say exactly what the events say.
    let releases = manifest.releases.clone();
    if manifest.kind == "release" && releases != [manifest.subject.clone()] {
        problems.push(problem(
            MANIFEST,
            "bad_subject",
            "a release's pack covers that release and no other".into(),
        ));
    }
    for id in &releases {
        if relm_store::projection::releases::get(conn, id)?.is_none() {
            problems.push(problem(
                id,
                "missing_release",
                "the manifest lists this release but the pack's events do not hold it".into(),
            ));
        }
    }
    for (name, expected) in derived_files(&replayed, &releases)? {
        if let Some(bytes) = contents.get(&name)
            && *bytes != expected
        {
            problems.push(problem(
                &name,
                "disagrees",
                format!(
                    "it does not say what the events say ({})",
                    first_difference(bytes, &expected)
                ),
            ));
        }
    }

    let not_applied = findings(conn)?;
    let signers = signers(replayed.ledger.conn(), &people)?;
    let mut verdict = finish(path, manifest, files, count, Some(signers), problems);
    verdict.not_applied = not_applied;
    Ok(verdict)
}

fn first_difference(got: &[u8], want: &[u8]) -> String {
    let got = String::from_utf8_lossy(got);
    let want = String::from_utf8_lossy(want);
    for (n, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        if g != w {
            return format!(
                "line {}: `{}` where the events give `{}`",
                n + 1,
                cut(g),
                cut(w)
            );
        }
    }
    let (g, w) = (got.lines().count(), want.lines().count());
    format!("{g} lines where the events give {w}")
}

fn cut(s: &str) -> String {
    relm_domain::text::truncated(s, 120).into_owned()
}

fn findings(conn: &Connection) -> Result<Vec<PackFinding>> {
    let mut stmt = conn
        .prepare("SELECT event_id, kind, by_key, code, reason FROM not_applied ORDER BY at_hlc")
        .map_err(relm_store::StoreError::from)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(PackFinding {
                event: r.get(0)?,
                kind: r.get(1)?,
                by: r.get(2)?,
                code: r.get(3)?,
                reason: r.get(4)?,
            })
        })
        .map_err(relm_store::StoreError::from)?;
    Ok(rows
        .collect::<relm_store::rusqlite::Result<Vec<_>>>()
        .map_err(relm_store::StoreError::from)?)
}

fn signers(
    conn: &Connection,
    people: &BTreeMap<KeyId, relm_policy::facts::Person>,
) -> Result<Vec<PackSigner>> {
    let mut stmt = conn
        .prepare("SELECT author, count(*) FROM events GROUP BY author ORDER BY author")
        .map_err(relm_store::StoreError::from)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(relm_store::StoreError::from)?;
    let mut out = Vec::new();
    for row in rows {
        let (author, n) = row.map_err(relm_store::StoreError::from)?;
        let id = KeyId(author);
        let person = people.get(&id);
        out.push(PackSigner {
            name: person.map(|p| p.name.clone()).unwrap_or_default(),
            roles: person
                .map(|p| p.roles.iter().map(|r| r.as_str().to_string()).collect())
                .unwrap_or_default(),
            fingerprint: id.fingerprint(),
            member: id.0,
            events: n as u64,
        });
    }
    Ok(out)
}

fn finish(
    path: &Path,
    manifest: Manifest,
    files: Vec<PackFileCheck>,
    events: u64,
    signers: Option<Vec<PackSigner>>,
    problems: Vec<PackProblem>,
) -> PackVerdict {
    let ok = problems.is_empty();
    PackVerdict {
        status: if ok {
            PackStatus::Verified
        } else {
            PackStatus::NotVerified
        },
        ok,
        path: path.display().to_string(),
        manifest: Some(manifest),
        files,
        events,
        signers: signers.unwrap_or_default(),
        not_applied: Vec::new(),
        problems,
    }
}

/// One file of the pack at `pack`, for reading it in the app: at most `max` bytes of it, and
/// whether there was more. The pack is opened as [`verify_pack`] opens it (a regular file only).
pub fn read_pack_file(pack: &Path, name: &str, max: u64) -> Result<(Vec<u8>, bool)> {
    let fail = |why: String| ApiError::validation(format!("{}: {why}", pack.display()));
    let file = open_regular(pack).map_err(fail)?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| fail(format!("it is not a zip archive ({e})")))?;
    let entry = archive
        .by_name(name)
        .map_err(|_| fail(format!("the pack holds no {name}")))?;
    if entry.is_symlink() || entry.is_dir() {
        return Err(fail(format!("{name} is not a file")));
    }
    let mut bytes = Vec::new();
    entry
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("{name} cannot be read (damaged): {e}")))?;
    let more = bytes.len() as u64 > max;
    bytes.truncate(max as usize);
    Ok((bytes, more))
}
