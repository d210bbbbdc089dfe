//! The risk register as CSV: one documented column set (docs/risk.md) that `relm risk export`
//! writes and `relm risk import` reads back, for teams coming from a spreadsheet.
//!
//! Reading takes what spreadsheets write: a comma or a semicolon between cells (Excel in a
//! French locale writes semicolons), UTF-8 with or without a byte-order mark, CRLF or LF, quoted
//! cells with line breaks in them. Every bad row is reported with its line number; nothing is
//! imported while one is bad, unless the caller asks to skip them.

use std::collections::{BTreeMap, BTreeSet};

use relm_domain::ids::RiskId;
use relm_domain::payload::EventBody;
use relm_domain::risk::{Mitigation, RiskStatus};
use relm_domain::role::Role;
use relm_domain::window::fmt_utc;
use relm_domain::{Problem, ProblemCode};
use relm_store::projection::risks::{self, RiskFilter};
use serde::Serialize;

use crate::error::{ApiError, Result};
use crate::risks::{MitigationInput, RiskInput, check_reason, expiry};
use crate::session::{Relm, random};

/// The columns, in the order `export` writes them. `import` takes them in any order; only
/// `title`, `category`, `likelihood` and `impact` are required.
pub const COLUMNS: [&str; 17] = [
    "id",
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "owner",
    "services",
    "releases",
    "review_by",
    "mitigations",
    "status",
    "accepted_until",
    "acceptance_reason",
    "closed_reason",
];

const REQUIRED: [&str; 4] = ["title", "category", "likelihood", "impact"];

/// The largest file read (a register of tens of thousands of risks fits well below).
pub const MAX_CSV_BYTES: u64 = 32 * 1024 * 1024;

/// A row that was not imported, and why: in English, and as problems with codes (each
/// `field` a column) that the app words in its language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkippedRow {
    /// The line the row starts on (1 is the header).
    pub line: u64,
    pub message: String,
    pub problems: Vec<Problem>,
}

impl SkippedRow {
    fn new(line: u64, problems: Vec<Problem>) -> SkippedRow {
        SkippedRow {
            line,
            message: problems
                .iter()
                .map(|p| {
                    if p.field.is_empty() {
                        p.message.clone()
                    } else {
                        format!("{}: {}", p.field, p.message)
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
            problems,
        }
    }
}

/// A problem with a column of a row.
fn problem(field: &str, code: ProblemCode, message: String, params: &[(&str, String)]) -> Problem {
    Problem {
        field: field.into(),
        code,
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
        message,
    }
}

/// The problems an error carries (one `other` problem with its message when it has none).
fn problems_of(e: &ApiError, prefix: &str) -> Vec<Problem> {
    if e.problems.is_empty() {
        return vec![problem(prefix, ProblemCode::Other, e.message.clone(), &[])];
    }
    e.problems
        .iter()
        .map(|p| Problem {
            field: if prefix.is_empty() {
                p.field.clone()
            } else {
                format!("{prefix}.{}", p.field)
            },
            ..p.clone()
        })
        .collect()
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CsvImport {
    pub imported: usize,
    /// The ids of the risks imported, in file order.
    pub ids: Vec<String>,
    /// Rows left out (only with `skip_invalid`).
    pub skipped: Vec<SkippedRow>,
}

/// A row read, before it is checked against the workspace: its line and its cells by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: BTreeMap<String, String>,
}

/// The text of `bytes` as UTF-8 (a byte-order mark dropped), or why not, with the line.
fn text(bytes: &[u8]) -> std::result::Result<&str, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16; save it as UTF-8 (in Excel: \"CSV UTF-8\")".into());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!(
            "line {line}: byte 0x{:02X} is not UTF-8 (a Windows or Mac encoding?); save the file as UTF-8 (in Excel: \"CSV UTF-8\")",
            bytes[at]
        )
    })
}

/// `;` when the header line has more semicolons than commas (outside quotes), else `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// What a spreadsheet runs as a formula when a cell starts with it.
const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `v` needs a `'` before it to be read as text: it starts with a formula character,
/// or with `'`s before one (so that taking one `'` off on the way back gives `v` again).
fn guarded(v: &str) -> bool {
    v.trim_start_matches('\'').starts_with(FORMULA)
}

/// A cell as `export` writes it: text a spreadsheet would run as a formula kept as text with
/// a leading `'`.
fn guard(v: &str) -> String {
    if guarded(v) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// A cell as a spreadsheet user typed it: trimmed, and the `'` that `export` put before text a
/// spreadsheet would run as a formula taken off again.
fn cell(v: &str) -> String {
    let v = v.trim();
    match v.strip_prefix('\'') {
        Some(rest) if guarded(v) => rest.to_string(),
        _ => v.to_string(),
    }
}

/// The line (from 1) on which the record after position `p` starts. The reader leaves a
/// record's line break to the next read, so the breaks right after `p` are skipped first.
fn line_at(text: &str, p: &csv::Position) -> u64 {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(p.byte())
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// A CSV record as read: the line it starts on and its cells, untouched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Every record of a CSV file, the header first: UTF-8 with or without a byte-order mark,
/// comma or semicolon (the one the first line uses), CRLF or LF, quoted cells with delimiters,
/// quotes and line breaks. `Err` when the file is not UTF-8 text.
pub fn records(bytes: &[u8]) -> std::result::Result<(Vec<Record>, u8), String> {
    let text = text(bytes)?;
    let d = delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(d)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        // Where the record starts: the reader's position before it reads it.
        let line = line_at(text, reader.position());
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => out.push(Record {
                line,
                cells: record.iter().map(String::from).collect(),
            }),
            Err(e) => return Err(format!("line {line}: {e}")),
        }
    }
    Ok((out, d))
}

/// Read a CSV file's rows. A problem with the file as a whole (not UTF-8, no header, unknown
/// or missing columns) is an `Err`; rows that cannot be read as rows (a wrong number of cells)
/// come back in the second list.
pub fn read(bytes: &[u8]) -> std::result::Result<(Vec<Row>, Vec<SkippedRow>), String> {
    let (records, d) = records(bytes)?;
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        return Err("the file is empty; the first line names the columns".into());
    };
    let header: Vec<String> = header
        .cells
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            problems.push(if h.is_empty() {
                "a column has no name".to_string()
            } else {
                format!("unknown column `{}`", relm_domain::text::shown(h))
            });
        } else if !seen.insert(h.as_str()) {
            problems.push(format!("column `{h}` is named twice"));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !seen.contains(r))
        .collect();
    if !missing.is_empty() {
        problems.push(format!("missing column(s): {}", missing.join(", ")));
    }
    if !problems.is_empty() {
        return Err(format!(
            "line 1: {}; the columns are: {}",
            problems.join("; "),
            COLUMNS.join(", ")
        ));
    }
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    for record in records {
        let line = record.line;
        if record.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.cells.len() != header.len() {
            bad.push(SkippedRow::new(
                line,
                vec![problem(
                    "",
                    ProblemCode::RowCells,
                    format!(
                        "{} cells where the header names {} columns (a missing or extra {}, or an unclosed quote?)",
                        record.cells.len(),
                        header.len(),
                        if d == b';' { "semicolon" } else { "comma" }
                    ),
                    &[
                        ("cells", record.cells.len().to_string()),
                        ("columns", header.len().to_string()),
                    ],
                )],
            ));
            continue;
        }
        let cells = header
            .iter()
            .zip(record.cells.iter())
            .map(|(h, v)| (h.clone(), cell(v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows.push(Row { line, cells });
    }
    Ok((rows, bad))
}

/// A mitigations cell: one per line, `[ ]` or `[x]`, then optional `due:YYYY-MM-DD` and
/// `owner:WHO`, then the action.
pub fn mitigations(cell: &str) -> Vec<MitigationInput> {
    cell.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (done, mut rest) =
                if let Some(r) = l.strip_prefix("[x]").or_else(|| l.strip_prefix("[X]")) {
                    (true, r.trim_start())
                } else {
                    (false, l.strip_prefix("[ ]").unwrap_or(l).trim_start())
                };
            let mut m = MitigationInput {
                done,
                ..MitigationInput::default()
            };
            loop {
                let (word, after) = rest.split_once(' ').unwrap_or((rest, ""));
                if let Some(d) = word.strip_prefix("due:") {
                    m.due = Some(d.to_string());
                } else if let Some(o) = word.strip_prefix("owner:") {
                    m.owner = Some(o.to_string());
                } else {
                    break;
                }
                rest = after.trim_start();
            }
            m.action = rest.to_string();
            m
        })
        .collect()
}

fn mitigation_line(m: &Mitigation, owner: Option<String>) -> String {
    let mut s = String::from(if m.done { "[x]" } else { "[ ]" });
    if let Some(d) = &m.due {
        s.push_str(&format!(" due:{d}"));
    }
    if let Some(o) = owner {
        s.push_str(&format!(" owner:{o}"));
    }
    s.push(' ');
    s.push_str(&m.action.replace(['\r', '\n'], " "));
    s
}

/// A list cell (`services`, `releases`): values split at commas.
fn list(cell: Option<&String>) -> Option<Vec<String>> {
    cell.map(|c| {
        c.split([',', '\n'])
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect()
    })
}

/// A 1–5 scale cell, or why not.
fn scale(
    cells: &BTreeMap<String, String>,
    column: &str,
) -> std::result::Result<Option<u8>, Problem> {
    cells
        .get(column)
        .map(|v| {
            v.parse::<u8>().map_err(|_| {
                let shown = relm_domain::text::shown(v).to_string();
                problem(
                    column,
                    ProblemCode::OutOfRange,
                    format!("`{shown}` is not a whole number from 1 to 5"),
                    &[
                        ("value", shown.clone()),
                        ("min", "1".into()),
                        ("max", "5".into()),
                    ],
                )
            })
        })
        .transpose()
}

/// A bad row's problems with their fields as `rows.LINE.COLUMN` (`rows.LINE` for the row).
fn problems_of_row(b: &SkippedRow) -> Vec<Problem> {
    b.problems
        .iter()
        .map(|p| Problem {
            field: if p.field.is_empty() {
                format!("rows.{}", b.line)
            } else {
                format!("rows.{}.{}", b.line, p.field)
            },
            ..p.clone()
        })
        .collect()
}

/// The events that bring one row into the register, or every problem of it.
struct Planned {
    id: String,
    events: Vec<EventBody>,
}

impl Relm {
    /// Import risks from a CSV file's bytes (`file` names it in messages). All or nothing: any
    /// bad row refuses the whole file with every bad row's line and reason, unless
    /// `skip_invalid`, which imports the good rows and lists the others.
    pub fn import_risks_csv(
        &mut self,
        bytes: &[u8],
        file: &str,
        skip_invalid: bool,
    ) -> Result<CsvImport> {
        self.workspace_id()?;
        let file = &*relm_domain::text::shown(file);
        let (rows, mut bad) =
            read(bytes).map_err(|m| ApiError::invalid("file", format!("{file}: {m}")))?;
        let mut planned = Vec::new();
        let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
        for row in &rows {
            if let Some(id) = row.cells.get("id") {
                if let Some(first) = first_line.get(id) {
                    bad.push(SkippedRow::new(
                        row.line,
                        vec![problem(
                            "id",
                            ProblemCode::Repeated,
                            format!("{id} is on line {first} already"),
                            &[("value", id.clone()), ("line", first.to_string())],
                        )],
                    ));
                    continue;
                }
                first_line.insert(id.clone(), row.line);
            }
            match self.plan_row(row) {
                Ok(p) => planned.push(p),
                Err(problems) => bad.push(SkippedRow::new(row.line, problems)),
            }
        }
        bad.sort_by_key(|b| b.line);
        if !bad.is_empty() && !skip_invalid {
            let lines: Vec<String> = bad
                .iter()
                .map(|b| format!("{file}:{}: {}", b.line, b.message))
                .collect();
            // Each row's problems, their fields `rows.LINE.COLUMN`, for the app to word.
            let problems = bad.iter().flat_map(problems_of_row).collect();
            return Err(ApiError {
                field: Some("file".into()),
                problems,
                ..ApiError::validation(format!(
                    "{} bad row(s), nothing imported (--skip-invalid imports the others):\n{}",
                    bad.len(),
                    lines.join("\n")
                ))
            });
        }
        let ids: Vec<String> = planned.iter().map(|p| p.id.clone()).collect();
        if !planned.is_empty() {
            let events: Vec<EventBody> = planned.into_iter().flat_map(|p| p.events).collect();
            self.emit(|tx| {
                // Ids another replica or an earlier import took since the rows were checked.
                for id in &ids {
                    if risks::get(tx, id)?.is_some() {
                        return Err(ApiError::invalid(
                            "file",
                            format!("{file}: risk {id} is in the register already"),
                        ));
                    }
                }
                Ok(events)
            })?;
        }
        Ok(CsvImport {
            imported: ids.len(),
            ids,
            skipped: bad,
        })
    }

    /// Check one row against the workspace and plan its events, or say everything wrong
    /// with it.
    fn plan_row(&self, row: &Row) -> std::result::Result<Planned, Vec<Problem>> {
        let c = &row.cells;
        let mut problems: Vec<Problem> = Vec::new();
        let id = match c.get("id") {
            Some(id) => match uuid::Uuid::parse_str(id) {
                Ok(u) => {
                    let id = u.hyphenated().to_string();
                    match risks::get(self.store.conn(), &id) {
                        Ok(Some(_)) => problems.push(problem(
                            "id",
                            ProblemCode::Taken,
                            format!(
                                "risk {id} is in the register already; edit it with `relm risk update`, or leave `id` empty to add a new risk"
                            ),
                            &[("value", id.clone())],
                        )),
                        Ok(None) => {}
                        Err(e) => problems.push(problem("id", ProblemCode::Other, e.to_string(), &[])),
                    }
                    id
                }
                Err(_) => {
                    let shown = relm_domain::text::shown(id).to_string();
                    problems.push(problem(
                        "id",
                        ProblemCode::BadKey,
                        format!("`{shown}` is not a risk id (leave it empty for a new one)"),
                        &[("value", shown.clone())],
                    ));
                    String::new()
                }
            },
            None => random::<10>()
                .map(|r| RiskId::generate(self.clock.now(), r).0)
                .map_err(|e| problems_of(&e, ""))?,
        };
        let mut scales = BTreeMap::new();
        for column in [
            "likelihood",
            "impact",
            "residual_likelihood",
            "residual_impact",
        ] {
            match scale(c, column) {
                Ok(v) => {
                    scales.insert(column, v);
                }
                Err(e) => {
                    problems.push(e);
                    // Said once: the value stands in as valid for the other checks.
                    scales.insert(column, Some(1));
                }
            }
        }
        let input = RiskInput {
            title: c.get("title").cloned(),
            description: c.get("description").cloned(),
            category: c.get("category").map(|v| v.to_ascii_lowercase()),
            likelihood: scales.get("likelihood").copied().flatten(),
            impact: scales.get("impact").copied().flatten(),
            owner: c.get("owner").cloned(),
            services: list(c.get("services")),
            releases: list(c.get("releases")),
            review_by: c.get("review_by").cloned(),
            residual_likelihood: scales.get("residual_likelihood").copied().flatten(),
            residual_impact: scales.get("residual_impact").copied().flatten(),
        };
        let fields = match self.new_risk_fields(&input) {
            Ok(f) => Some(f),
            Err(e) => {
                problems.extend(problems_of(&e, ""));
                None
            }
        };
        let mut events = Vec::new();
        let risk_id = RiskId(id.clone());
        for (n, m) in mitigations(c.get("mitigations").map_or("", String::as_str))
            .iter()
            .enumerate()
        {
            match self.new_mitigation(m) {
                Ok(mitigation) => {
                    let done = mitigation.done;
                    events.push(EventBody::RiskMitigated {
                        risk_id: risk_id.clone(),
                        mitigation: Mitigation {
                            done: false,
                            ..mitigation
                        },
                        residual_likelihood: None,
                        residual_impact: None,
                    });
                    if done {
                        events.push(EventBody::RiskMitigationDone {
                            risk_id: risk_id.clone(),
                            number: u32::try_from(n + 1).unwrap_or(u32::MAX),
                        });
                    }
                }
                Err(e) => problems.extend(problems_of(&e, &format!("mitigations.{}", n + 1))),
            }
        }
        let status = match c.get("status").map(|s| s.to_ascii_lowercase()) {
            None => None,
            Some(s) => match s.parse::<RiskStatus>() {
                Ok(s) => Some(s),
                Err(_) => {
                    let shown = relm_domain::text::shown(&s).to_string();
                    problems.push(problem(
                        "status",
                        ProblemCode::UnknownChoice,
                        format!("`{shown}` is not one of open, mitigating, accepted, closed"),
                        &[
                            ("value", shown.clone()),
                            ("allowed", "open, mitigating, accepted, closed".into()),
                        ],
                    ));
                    None
                }
            },
        };
        match status {
            Some(RiskStatus::Closed) => {
                match check_reason(c.get("closed_reason").map_or("", String::as_str)) {
                    Ok(reason) => events.push(EventBody::RiskClosed {
                        risk_id: risk_id.clone(),
                        reason,
                    }),
                    Err(_) => problems.push(problem(
                        "closed_reason",
                        ProblemCode::Required,
                        "a closed risk needs its closed_reason".into(),
                        &[],
                    )),
                }
            }
            Some(RiskStatus::Accepted) => {
                let me = self.me().map_err(|e| problems_of(&e, ""))?;
                let approver = relm_store::projection::members::list(self.store.conn())
                    .map_err(|e| vec![problem("", ProblemCode::Other, e.to_string(), &[])])?
                    .into_iter()
                    .any(|m| m.key_id == me && m.active && m.roles.contains(&Role::Approver));
                if !approver {
                    problems.push(problem(
                        "status",
                        ProblemCode::Other,
                        "accepting a risk is an approver's authorization: import it as open, then an approver accepts it".into(),
                        &[],
                    ));
                } else if fields.as_ref().is_some_and(|f| f.owner == me) {
                    problems.push(problem(
                        "owner",
                        ProblemCode::Other,
                        "you would own this accepted risk, and an owner cannot accept it: give another owner, or import it as open".into(),
                        &[],
                    ));
                }
                let until = expiry(
                    c.get("accepted_until").map_or("", String::as_str),
                    self.clock.now(),
                );
                let reason = check_reason(c.get("acceptance_reason").map_or("", String::as_str));
                match (until, reason) {
                    (Ok(until), Ok(reason)) => events.push(EventBody::RiskAccepted {
                        risk_id: risk_id.clone(),
                        reason,
                        expires_at: fmt_utc(until),
                    }),
                    (until, reason) => {
                        if let Err(e) = until {
                            problems.extend(problems_of(&ApiError::from(e), "").into_iter().map(
                                |p| Problem {
                                    field: "accepted_until".into(),
                                    ..p
                                },
                            ));
                        }
                        if reason.is_err() {
                            problems.push(problem(
                                "acceptance_reason",
                                ProblemCode::Required,
                                "an accepted risk needs its acceptance_reason".into(),
                                &[],
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let Some(fields) = fields else {
            return Err(vec![problem(
                "",
                ProblemCode::Other,
                "the risk cannot be read".into(),
                &[],
            )]);
        };
        events.insert(
            0,
            EventBody::RiskAdded {
                risk_id: risk_id.clone(),
                fields,
            },
        );
        Ok(Planned { id, events })
    }

    /// The whole register as CSV (every status, highest score first): UTF-8 with a byte-order
    /// mark (spreadsheets then read it as UTF-8), CRLF, `delimiter` between cells. Text a
    /// spreadsheet would run as a formula is kept as text with a leading `'`.
    /// Returns the file's bytes and how many risks it holds.
    pub fn export_risks_csv(&self, delimiter: u8) -> Result<(Vec<u8>, usize)> {
        self.workspace_id()?;
        let conn = self.store.conn();
        let rows = risks::list(
            conn,
            &RiskFilter {
                now: fmt_utc(self.clock.now()),
                limit: u32::MAX,
                ..RiskFilter::default()
            },
        )?;
        let people: BTreeMap<String, String> = relm_store::projection::members::list(conn)?
            .into_iter()
            .map(|m| {
                let who = if m.email.is_empty() {
                    m.key_id.0.clone()
                } else {
                    m.email
                };
                (m.key_id.0, who)
            })
            .collect();
        let who =
            |k: &relm_domain::keys::KeyId| people.get(&k.0).cloned().unwrap_or_else(|| k.0.clone());
        let now = self.clock.now();
        let records: Vec<[String; 17]> = rows
            .into_iter()
            .map(|r| {
                let s = &r.state;
                let f = &s.fields;
                let status = s.status_at(now);
                let acceptance = s
                    .acceptance
                    .as_ref()
                    .filter(|_| status == RiskStatus::Accepted);
                let opt = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
                [
                    r.id.clone(),
                    f.title.clone(),
                    f.description.clone(),
                    f.category.as_str().to_string(),
                    f.likelihood.to_string(),
                    f.impact.to_string(),
                    opt(f.residual_likelihood),
                    opt(f.residual_impact),
                    who(&f.owner),
                    f.services.join(", "),
                    f.releases.join(", "),
                    f.review_by.clone().unwrap_or_default(),
                    s.mitigations
                        .iter()
                        .map(|m| mitigation_line(m, m.owner.as_ref().map(&who)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    status.as_str().to_string(),
                    acceptance.map(|a| a.expires_at.clone()).unwrap_or_default(),
                    acceptance.map(|a| a.reason.clone()).unwrap_or_default(),
                    s.closure
                        .as_ref()
                        .map(|c| c.reason.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let bytes = write(&records, delimiter)
            .map_err(|e| ApiError::new(crate::ErrorCode::Internal, e.to_string()))?;
        Ok((bytes, records.len()))
    }
}

/// Rows under the header of [`COLUMNS`], as CSV: UTF-8 with a byte-order mark, CRLF,
/// `delimiter` between cells, formulas kept as text.
pub fn write(rows: &[[String; 17]], delimiter: u8) -> csv::Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(COLUMNS)?;
        for r in rows {
            w.write_record(r.iter().map(|v| guard(v)))?;
        }
        w.flush()?;
    }
    Ok(out)
}

impl Relm {
    /// Import risks from the CSV file at `path` (see [`Relm::import_risks_csv`]).
    pub fn import_risks_csv_file(
        &mut self,
        path: &std::path::Path,
        skip_invalid: bool,
    ) -> Result<CsvImport> {
        let bytes = read_file(path)?;
        self.import_risks_csv(&bytes, &path.display().to_string(), skip_invalid)
    }

    /// Write the register as CSV to `path` (`comma` or `semicolon` between cells); returns
    /// how many risks it holds.
    pub fn export_risks_csv_file(&self, path: &std::path::Path, delimiter: &str) -> Result<usize> {
        let d = match delimiter.trim() {
            "comma" | "," => b',',
            "semicolon" | ";" => b';',
            other => {
                return Err(ApiError::invalid(
                    "delimiter",
                    format!(
                        "`{}` is not a delimiter; use comma or semicolon",
                        relm_domain::text::shown(other)
                    ),
                ));
            }
        };
        let (bytes, risks) = self.export_risks_csv(d)?;
        std::fs::write(path, &bytes).map_err(|e| {
            ApiError::invalid("out", format!("cannot write {}: {e}", path.display()))
        })?;
        Ok(risks)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is the failure report
    use super::*;

    #[test]
    fn the_delimiter_is_the_one_the_header_uses() {
        assert_eq!(delimiter("title;category;likelihood;impact\r\n"), b';');
        assert_eq!(delimiter("title,category,likelihood,impact\n"), b',');
        assert_eq!(delimiter("\"a;b\",c\n"), b',');
    }

    #[test]
    fn mitigation_cells_read_back_what_export_writes() {
        let m = mitigations(
            "[x] due:2027-01-31 owner:lea@x.example Add a second processor\n[ ] Write the runbook",
        );
        assert_eq!(m.len(), 2);
        assert!(m[0].done);
        assert_eq!(m[0].due.as_deref(), Some("2027-01-31"));
        assert_eq!(m[0].owner.as_deref(), Some("lea@x.example"));
        assert_eq!(m[0].action, "Add a second processor");
        assert!(!m[1].done);
        assert_eq!(m[1].action, "Write the runbook");
    }

    #[test]
    fn formula_guards_come_off_on_import() {
        assert_eq!(cell("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(cell("'quoted"), "'quoted");
        assert_eq!(cell("  plain "), "plain");
    }
}

/// The bytes of a CSV file the user named (see [`crate::files::read_user_file`]).
pub fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    crate::files::read_user_file(path, MAX_CSV_BYTES, "; split it")
}

#[cfg(test)]
mod lines {
    #![allow(clippy::unwrap_used)] // test code: a panic is the failure report

    #[test]
    fn rows_are_numbered_by_the_line_they_start_on() {
        let (rows, bad) = super::read(
            b"title,category,likelihood,impact\r\nA,technical,1,1\r\n\"B\nsecond line\",technical,2,2\r\nC,technical,3\r\n",
        )
        .unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(bad[0].line, 5, "{bad:?}");
    }
}

#[cfg(test)]
mod round_trip {
    #![allow(clippy::unwrap_used)] // test code: a panic is the failure report
    use super::*;
    use proptest::prelude::*;

    /// Cells as people type them: any text without surrounding blanks (cells are trimmed on
    /// the way in), with the characters CSV must protect well represented.
    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just(",".to_string()),
                Just(";".to_string()),
                Just("\"".to_string()),
                Just("\n".to_string()),
                Just("\r\n".to_string()),
                Just("'".to_string()),
                Just("=".to_string()),
                Just("-".to_string()),
                Just("@".to_string()),
                Just("+".to_string()),
                "[a-zA-Zéèàç€ 0-9]{1,6}",
                any::<char>().prop_map(|c| c.to_string()),
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat().trim().to_string())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// What `write` writes, `read` reads back cell for cell, with either delimiter.
        #[test]
        fn written_rows_read_back_unchanged(
            rows in proptest::collection::vec(proptest::collection::vec(text(), 17), 1..6),
            semicolon in any::<bool>(),
        ) {
            let rows: Vec<[String; 17]> = rows
                .into_iter()
                .map(|r| {
                    let mut r: [String; 17] = r.try_into().unwrap();
                    // A row needs its required cells to be read as a row at all.
                    r[1] = format!("t{}", r[1]);
                    r
                })
                .collect();
            let bytes = write(&rows, if semicolon { b';' } else { b',' }).unwrap();
            let (read_rows, bad) = read(&bytes).unwrap();
            prop_assert!(bad.is_empty(), "{:?}", bad);
            prop_assert_eq!(read_rows.len(), rows.len());
            for (want, got) in rows.iter().zip(&read_rows) {
                for (column, value) in COLUMNS.iter().zip(want) {
                    let value = value.trim();
                    prop_assert_eq!(
                        got.cells.get(*column).map(String::as_str).unwrap_or(""),
                        value,
                        "column {}", column
                    );
                }
            }
        }
    }
}
