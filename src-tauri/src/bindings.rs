//! The TypeScript declarations of everything that crosses the IPC boundary, generated from the
//! Rust types (ts-rs). `ui/src/lib/bindings.ts` is this text; a test fails when it drifts, and
//! `RELM_UPDATE_BINDINGS=1 cargo test -p relm-app bindings` rewrites it.

use ts_rs::{Config, TS};

use crate::commands::{AppInfo, PackText, PeriodExport};
use crate::state::{Preferences, Undoable};
use relm_api::audit::{AuditEntry, AuditQuery, FieldChange, Flag};
use relm_api::calendar::{
    CalendarInput, CalendarReleaseView, CalendarReleases, ConflictSummary, ImportOutcome,
    ImportRequest, Listing, OccurrenceView, UnreadableEntry,
};
use relm_api::connectors::{
    ConnectorInput, ConnectorSync, ConnectorView, LeftOut, OutboxRow, ProbeView, Seen,
    SeenEnvironment, SeenPart, SeenRelease, SeenUnread, SyncProgress,
};
use relm_api::connectors::{LeftOutItem, LeftOutWhy};
use relm_api::deployments::{
    DeploymentInput, DeploymentQuery, DeploymentView, DeviationView, PlanInput, Recorded,
    RollbackView,
};
use relm_api::digest::{DigestPart, DigestPreview, DigestQuery, DigestWritten};
use relm_api::feeds::{FeedRefresh, FeedView};
use relm_api::gates::{CheckRequest, PendingDecision, PolicySummary, SimulatedChange, Simulation};
use relm_api::identity::IdentityView;
use relm_api::members::MemberView;
use relm_api::metrics::{Metrics, ServicePoint, Unrestored, WeekPoint};
use relm_api::notes::{NotesDraft, NotesWritten, SavedNotes};
use relm_api::pack::{
    Manifest, PackEvidence, PackExporter, PackFile, PackFileCheck, PackFinding, PackLedger,
    PackProblem, PackSigner, PackStatus, PackVerdict, PackWorkspace, PackWritten,
};
use relm_api::publish::NotesPublished;
use relm_api::releases::{ReleaseDetail, ReleaseInput, ReleasePage, ReleaseQuery};
use relm_api::replicas::{
    AuthorSeen, JoinOutcome, JoinRequestInput, JoinRequestView, NotApplied, RemoteView, SyncCounts,
    SyncOutcome, SyncStatus,
};
use relm_api::reports::Written;
use relm_api::reschedule::{ReschedulePreview, RescheduleRequest};
use relm_api::reviews::{
    ActionQuery, ActionView, ReviewCounts, ReviewInput, ReviewPage, ReviewQuery, ReviewStatus,
    ReviewSummary, ReviewView, SignatureView, TimelineEntry,
};
use relm_api::risk_csv::{CsvImport, SkippedRow};
use relm_api::risks::{
    AcceptanceView, MitigationInput, ReleaseRisk, RiskDetail, RiskHeatmap, RiskInput, RiskQuery,
    RiskView,
};
use relm_api::sbom::{
    ComponentContents, LicenceFinding, ReleaseRef, SbomAttached, SbomContents, SbomDiffView,
    Shipping,
};
use relm_api::undo::Removed;
use relm_api::webhooks::{WebhookSent, WebhookView};
use relm_api::workspace::WorkspaceSettings;
use relm_api::workspace::{InitOutcome, InitRequest, Summary};
use relm_api::{ApiError, ErrorCode};
use relm_calendar::conflicts::{Code as ConflictCode, Conflict, Severity};
use relm_calendar::ics_read::{Note as IcsNote, NoteCode as IcsNoteCode};
use relm_calendar::{
    Entry as CalendarEntry, Override as CalendarOverride, Period as CalendarPeriod,
};
use relm_calendar::{Kind as CalendarKind, Level, RuleMistake, Scope as CalendarScope};
use relm_domain::keys::KeyId;
use relm_domain::payload::{
    BlockedGate, Decision, Outcome as DeployOutcome, RehearsalResult, RollbackPlan,
};
use relm_domain::release::{
    ChangeRef, ChangeType, Component, EvidenceLink, ReleaseFields, ReleaseStatus, RiskLevel,
};
use relm_domain::review::{Incident, IncidentSeverity, ReviewContent, ReviewOutcome};
use relm_domain::risk::{Closure, Mitigation, RiskCategory, RiskFields, RiskStatus};
use relm_domain::sbom::{Package, SbomDocument};
use relm_domain::window::PlannedWindow;
use relm_domain::{Problem as FieldProblem, ProblemCode, Reason, ReasonCode};
use relm_policy::assess::{
    Choice, Factor, Judged, Lowering, Method, Question, ReleaseAssessment, Source,
};
use relm_policy::deviation::Deviation;
use relm_policy::facts::Readiness;
use relm_policy::verdict::{Action, ApprovalLine, Line, LineStatus, Outcome, Verdict, VerdictRisk};
use relm_policy::{Lang, Tier};
use relm_sbom::diff::{Diff, Moved, Relicensed};
use relm_sbom::{Note as SbomNote, NoteCode as SbomNoteCode};
use relm_store::events::LogEntry;
use relm_store::forks::Fork;
use relm_store::ingest::{Held, IngestReport, Rejected};
use relm_store::projection::calendar::{CalendarRelease, CalendarRow};
use relm_store::projection::deployments::{
    DeploymentRecord, PlanRecord, RehearsalRecord, RollbackRecord,
};
use relm_store::projection::governance::PolicyVersion;
use relm_store::projection::releases::{ReleaseRow, StatusChange};
use relm_store::projection::reviews::ActionRow;
use relm_store::projection::risks::RiskCounts;
use relm_store::verify::{Problem, Report};
use relm_sync::{FileNote, JoinRequest, SyncReport};

macro_rules! declarations {
    ($cfg:expr; $($t:ty),* $(,)?) => {
        vec![$(<$t as TS>::decl($cfg)),*]
    };
}

/// The whole `bindings.ts` file.
pub fn typescript() -> String {
    // Every integer Relm sends is below 2^53: plain numbers, not bigint.
    let cfg = &Config::new().with_large_int("number");
    let decls = declarations![cfg;
        ErrorCode, FieldProblem, ProblemCode, Reason, ReasonCode, ApiError, AppInfo, Preferences, Summary, InitOutcome, JoinOutcome,
        InitRequest, JoinRequestInput, KeyId, ChangeType, ReleaseStatus, PlannedWindow, Component,
        ChangeRef, EvidenceLink, ReleaseFields, ReleaseRow, BlockedGate, StatusChange, LogEntry, ReleaseDetail,
        ReleasePage, ReleaseInput, ReleaseQuery, Problem, Report, MemberView, IdentityView,
        RemoteView, SyncCounts, Rejected, IngestReport, Held, FileNote, JoinRequest, SyncReport, SyncOutcome,
        AuthorSeen, NotApplied, JoinRequestView, SyncStatus, RiskLevel, Decision, Tier, Outcome,
        LineStatus, Action, Line, ApprovalLine, Verdict, CheckRequest, PendingDecision, PolicySummary,
        PolicyVersion, SimulatedChange, Simulation, Lang, CalendarKind, Level, CalendarScope,
        OccurrenceView, UnreadableEntry, Listing, CalendarPeriod, CalendarOverride, CalendarEntry, CalendarRow, CalendarInput, ImportRequest, IcsNoteCode, IcsNote, RuleMistake, ImportOutcome, CalendarRelease, CalendarReleaseView, CalendarReleases, ConflictSummary, Severity, ConflictCode, Conflict, RescheduleRequest, ReschedulePreview,
        Fork, WorkspaceSettings, AuditQuery, AuditEntry, FieldChange, Flag, RiskCategory, RiskStatus,
        RiskFields, Mitigation, Closure, AcceptanceView, RiskView, RiskDetail, RiskInput, MitigationInput,
        RiskQuery, Choice, Question, Source, Factor, Method, Lowering, Judged, ReleaseAssessment,
        VerdictRisk, ReleaseRisk, RiskCounts, SkippedRow, CsvImport, RiskHeatmap,
        DeployOutcome, RehearsalResult, RollbackPlan, Deviation, DeviationView, DeploymentRecord,
        DeploymentView, Recorded, DeploymentInput, DeploymentQuery, PlanInput, Readiness,
        PlanRecord, RehearsalRecord, RollbackRecord, RollbackView, ReviewOutcome, IncidentSeverity,
        Incident, ReviewContent, ReviewStatus, TimelineEntry, SignatureView, ActionRow, ActionView,
        ReviewView, ReviewSummary, ReviewPage, ReviewCounts, ReviewInput, ReviewQuery, ActionQuery, Unrestored, WeekPoint,
        ServicePoint, Metrics, Written, PackWorkspace, PackLedger, PackExporter, PackEvidence,
        PackFile, Manifest, PackWritten, PackStatus, PackProblem, PackFileCheck, PackSigner,
        PackFinding, PackVerdict, PackText, PeriodExport, ConnectorInput, ConnectorView, ProbeView,
        LeftOut, LeftOutItem, LeftOutWhy, ConnectorSync, OutboxRow, Seen, SeenEnvironment, SeenRelease, SeenUnread, SeenPart, SyncProgress,
        Package, SbomDocument, SbomNote, SbomNoteCode, Moved, Relicensed, Diff, SbomAttached, ComponentContents,
        LicenceFinding, SbomContents, ReleaseRef, SbomDiffView, Shipping,
        DigestQuery, DigestPart, DigestPreview, DigestWritten, WebhookView, WebhookSent, FeedView,
        FeedRefresh, NotesDraft, NotesWritten, SavedNotes, NotesPublished, Removed, Undoable,
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `relm-app` (src-tauri/src/bindings.rs). Do not edit:\n// run `RELM_UPDATE_BINDINGS=1 cargo test -p relm-app bindings`.\n\nexport type JsonValue =\n  | number\n  | string\n  | boolean\n  | Array<JsonValue>\n  | { [key in string]?: JsonValue }\n  | null;\n",
    );
    for d in decls {
        out.push_str("\nexport ");
        out.push_str(&d);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::print_stderr)]

    #[test]
    fn bindings_match_the_rust_types() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let generated = super::typescript();
        if std::env::var_os("RELM_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap();
            eprintln!("wrote {}", path.display());
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/bindings.ts is out of date with the Rust types: run `RELM_UPDATE_BINDINGS=1 cargo test -p relm-app bindings`"
        );
    }
}
