// Generated from the Rust types by `relm-app` (src-tauri/src/bindings.rs). Do not edit:
// run `RELM_UPDATE_BINDINGS=1 cargo test -p relm-app bindings`.

export type JsonValue =
  | number
  | string
  | boolean
  | Array<JsonValue>
  | { [key in string]?: JsonValue }
  | null;

export type ErrorCode = "validation" | "not_found" | "conflict" | "unauthorized" | "no_workspace" | "data_dir" | "keyring" | "offline" | "remote" | "clock" | "internal";

export type FieldProblem = { 
/**
 * The input at fault: a form field's name (`end`), or a row's cell (`components.1.digest`).
 */
field: string, code: ProblemCode, 
/**
 * The values the wording needs (`value`, `max`...), as text.
 */
params: { [key in string]: string }, 
/**
 * The English wording, for the CLI and the log.
 */
message: string, };

export type ProblemCode = "required" | "bad_name" | "too_long" | "too_short" | "bad_char" | "bad_version" | "unknown_zone" | "bad_time" | "ambiguous_time" | "nonexistent_time" | "end_not_after_start" | "bad_digest" | "bad_email" | "unknown_choice" | "out_of_range" | "bad_key" | "unchanged" | "past" | "unknown_member" | "taken" | "repeated" | "row_cells" | "end_before_start" | "future" | "bad_url" | "secret_in_url" | "bad_file" | "bad_backup" | "bad_mapping" | "bad_sbom" | "bad_rule" | "span_too_long" | "other";

export type Reason = { code: ReasonCode, 
/**
 * The values the wording needs, as text.
 */
params: { [key in string]: string }, message: string, };

export type ReasonCode = "workspace_once" | "not_a_member" | "member_removed" | "role_required" | "already_member" | "last_admin" | "illegal_transition" | "not_editable" | "not_movable" | "policy_in_force" | "nothing_to_decide" | "already_decided" | "decision_would_not_count" | "not_emergency" | "workspace_exists" | "workspace_not_empty" | "remote_exists" | "name_taken_again" | "nothing_to_undo" | "changed_since_checked" | "file_exists" | "no_release" | "no_policy_version" | "no_calendar_entry" | "no_remote" | "no_member" | "not_joined" | "risk_closed" | "owner_cannot_accept" | "no_risk" | "owner_cannot_lower" | "ref_taken" | "no_deployment" | "nothing_to_review" | "review_signed" | "cannot_sign_review" | "already_signed" | "action_done" | "no_action" | "review_required" | "connector_exists" | "no_connector" | "webhook_exists" | "no_webhook" | "feed_exists" | "store_damaged" | "ledger_damaged" | "token_refused" | "platform_refused" | "platform_failed" | "certificate_untrusted" | "not_json" | "answer_too_large" | "too_many_pages" | "bad_next_page" | "next_page_elsewhere" | "no_longer_awaited" | "freeze_deleted" | "unknown_write" | "no_tag" | "webhook_timeout" | "webhook_unreachable" | "webhook_slow_down" | "webhook_failed" | "webhook_redirect" | "webhook_refused" | "remote_offline" | "remote_not_folder" | "remote_link" | "remote_bad_name" | "remote_refused" | "remote_file_too_large" | "git_missing" | "git_who" | "git_credentials_refused" | "git_unreachable" | "git_failed" | "history_rewritten" | "push_raced" | "several_workspaces" | "not_a_relm_remote" | "no_workspace_there" | "workspace_unreadable" | "cannot_write" | "clock_off_remote" | "clock_behind" | "key_missing" | "no_token";

export type ApiError = { code: ErrorCode, message: string, 
/**
 * The input field at fault, when one is (forms show the message next to it).
 */
field?: string, 
/**
 * Every problem with the input, each with its field, a code the app words in its own
 * language and its parameters (bad input only; forms show each beside its field).
 */
problems: Array<FieldProblem>, 
/**
 * Why a request was refused by the state of things (conflicts, roles, what does not
 * exist), as a code the app words in its own language.
 */
reason?: Reason, };

export type AppInfo = { version: string, data_dir: string, log_dir: string | null, has_workspace: boolean, preferences: Preferences, 
/**
 * The page is drawn without a GPU ([`crate::render::drawn_on_cpu`]): it draws what is
 * costly to rasterize on the CPU (blurred shadows) more simply.
 */
drawn_on_cpu: boolean, };

export type Preferences = { 
/**
 * `en` or `fr`; empty means "from the OS".
 */
locale: string, 
/**
 * `system`, `light` or `dark`; empty means `system`.
 */
theme: string, };

export type Summary = { workspace_id: string, name: string, members: number, releases: number, releases_by_status: { [key in string]: number }, events: number, data_dir: string, 
/**
 * The register's active high risks, acceptances expiring soon and overdue reviews.
 */
risks: RiskCounts, };

export type InitOutcome = { workspace_id: string, workspace_name: string, key_id: string, fingerprint: string, public_key: string, keyring: string, 
/**
 * False when the keyring forgets keys at reboot (kernel keyring): export a backup.
 */
keyring_persistent: boolean, };

export type JoinOutcome = { workspace_id: string, workspace_name: string, key_id: string, fingerprint: string, public_key: string, events: number, keyring: string, keyring_persistent: boolean, 
/**
 * Whether the join request could be left on the remote for the admins to see.
 */
request_written: boolean, };

export type InitRequest = { workspace: string, name: string, email: string, };

export type JoinRequestInput = { remote: string, name: string, email: string, };

export type KeyId = string;

export type ChangeType = "standard" | "normal" | "emergency";

export type ReleaseStatus = "draft" | "planned" | "approved" | "deploying" | "deployed" | "reviewed" | "cancelled" | "rolled_back" | "failed";

export type PlannedWindow = { start: string, end: string, 
/**
 * IANA zone name, e.g. `Europe/Paris`.
 */
tz: string, };

export type Component = { name: string, version: string, 
/**
 * Artifact digest, `sha256:<64 hex>`, when known.
 */
digest?: string | null, };

export type ChangeRef = { id: string, title: string, link?: string | null, 
/**
 * Who wrote the change (an e-mail or a name): they may not approve the release.
 */
author?: string | null, };

export type EvidenceLink = { name: string, link?: string | null, digest?: string | null, };

export type ReleaseFields = { service: string, version: string, title: string, description: string, change_type: ChangeType, risk: RiskLevel, environments: Array<string>, window?: PlannedWindow | null, owner: KeyId, components: Array<Component>, changes: Array<ChangeRef>, rollback_plan: string, evidence: Array<EvidenceLink>, };

export type ReleaseRow = { id: string, status: ReleaseStatus, created_at: string, created_by: string, updated_at: string, updated_by: string, 
/**
 * Number of events applied to this release (1 after creation).
 */
revision: number, 
/**
 * Some status change of this release was an override (made while the policy blocked it).
 */
overridden: boolean, service: string, version: string, title: string, description: string, change_type: ChangeType, risk: RiskLevel, environments: Array<string>, window?: PlannedWindow | null, owner: KeyId, components: Array<Component>, changes: Array<ChangeRef>, rollback_plan: string, evidence: Array<EvidenceLink>, };

export type BlockedGate = { environment: string, rules: Array<string>, };

export type StatusChange = { event_id: string, from: string | null, to: string, note: string | null, at: string, by: string, 
/**
 * What blocked this change when it was made: an override, `note` its reason.
 */
blocked: Array<BlockedGate>, };

export type LogEntry = { id: string, hash: string, at: string, hlc: string, 
/**
 * The author's wall clock when signing (format 2 events), beside the ledger order: it
 * decides nothing, and may disagree with `at` when the author's clock was off.
 */
signed_at: string | null, author: string, author_name: string | null, seq: number, kind: string, entity: string | null, payload: JsonValue, };

export type ReleaseDetail = { status_history: Array<StatusChange>, allowed_next: Array<ReleaseStatus>, events: Array<LogEntry>, id: string, status: ReleaseStatus, created_at: string, created_by: string, updated_at: string, updated_by: string, 
/**
 * Number of events applied to this release (1 after creation).
 */
revision: number, 
/**
 * Some status change of this release was an override (made while the policy blocked it).
 */
overridden: boolean, service: string, version: string, title: string, description: string, change_type: ChangeType, risk: RiskLevel, environments: Array<string>, window?: PlannedWindow | null, owner: KeyId, components: Array<Component>, changes: Array<ChangeRef>, rollback_plan: string, evidence: Array<EvidenceLink>, };

export type ReleasePage = { releases: Array<ReleaseRow>, next_cursor: string | null, 
/**
 * How many releases the filter matches, all pages together.
 */
total: number, 
/**
 * Each listed release's risk level as the policy sees it (assessed, raised by hand or
 * lowered by an approver), by id.
 */
levels: { [key in string]: RiskLevel }, };

export type ReleaseInput = { service?: string, version?: string, title?: string, description?: string, change_type?: string, 
/**
 * `low`, `medium` (the default), `high` or `critical`.
 */
risk?: string, environments?: Array<string>, 
/**
 * `(start, end, tz)` as typed: RFC 3339 or local wall-clock time in `tz`.
 */
window?: [string, string, string], clear_window: boolean, components?: Array<Component>, changes?: Array<ChangeRef>, rollback_plan?: string, evidence?: Array<EvidenceLink>, };

export type ReleaseQuery = { service?: string, status?: string, environment?: string, change_type?: string, 
/**
 * `created`, `updated`, `window`, `service` or `status`; a leading `-` sorts descending.
 * Default `-created` (newest first).
 */
sort?: string, 
/**
 * Planned windows starting on or after this date (`2027-03-01`) or instant (RFC 3339).
 */
from?: string, 
/**
 * Planned windows starting before this date or instant.
 */
to?: string, limit?: number, cursor?: string, 
/**
 * `false`: without each release's risk level (`levels` empty), for a list that shows none,
 * such as a picker. Default: with them.
 */
levels?: boolean, };

export type Problem = { 
/**
 * Event id (or the projection table for a projection mismatch).
 */
event: string, author: string | null, seq: number | null, code: string, message: string, };

export type Report = { ok: boolean, events: number, authors: number, 
/**
 * Hash of the last event in ledger order.
 */
head: string | null, 
/**
 * Authentic events that had no effect at their point in the ledger (see `not_applied`).
 */
not_applied: number, 
/**
 * The first problem (in ledger order), if any.
 */
problem: Problem | null, 
/**
 * Every problem found, in ledger order (at most [`MAX_PROBLEMS`]): a bad event does not
 * stop the check of the others.
 */
problems: Array<Problem>, 
/**
 * Members whose key signed two histories (the evidence checked): nothing of theirs from
 * the fork point counts. A finding, not a failed check: the ledger is sound.
 */
forks: Array<Fork>, };

export type MemberView = { key_id: string, fingerprint: string, public_key: string, name: string, email: string, roles: Array<string>, 
/**
 * The member's team (empty: none).
 */
team: string, active: boolean, };

export type IdentityView = { keyring: string, keyring_persistent: boolean, 
/**
 * Whether the private key is present in the keyring right now.
 */
private_key_present: boolean, key_id: string, fingerprint: string, public_key: string, name: string, email: string, roles: Array<string>, 
/**
 * The member's team (empty: none).
 */
team: string, active: boolean, };

export type RemoteView = { name: string, kind: string, location: string, added_at: string, last_sync_at: string | null, 
/**
 * `ok`, `offline` or `error`.
 */
last_result: string | null, 
/**
 * What the last sync did, or why it failed, in English.
 */
last_message: string | null, 
/**
 * Why the last sync failed, with its reason for the app's wording (none when it
 * succeeded, or when an earlier version kept only the text).
 */
last_failure: ApiError | null, last_ok_at: string | null, 
/**
 * What the last sync did, when it succeeded: for wording in the reader's language.
 */
last_counts: SyncCounts | null, 
/**
 * Events this replica has that the remote lacks, as far as the last sync saw.
 */
pending_push: number, };

export type SyncCounts = { 
/**
 * New events taken in.
 */
pulled: number, 
/**
 * Events written to the remote.
 */
pushed: number, 
/**
 * Events taken in that changed nothing (refused by the rules when replayed).
 */
not_applied: number, 
/**
 * Events waiting for earlier ones.
 */
pending: number, 
/**
 * Lines and events set aside.
 */
quarantined: number, 
/**
 * Files still being copied.
 */
incomplete: number, 
/**
 * Files whose header claims events they do not carry (security findings).
 */
lying: number, 
/**
 * This replica's small files packed into one.
 */
packed: number, };

export type Rejected = { event: string | null, author: string | null, seq: number | null, code: string, reason: string, source: string, };

export type IngestReport = { 
/**
 * Events offered (including retried pending ones).
 */
received: number, 
/**
 * Events added to the ledger.
 */
added: number, 
/**
 * Of those, events that had no effect at their point in the ledger.
 */
not_applied: number, 
/**
 * Events already in the ledger.
 */
duplicates: number, 
/**
 * Events waiting for earlier ones.
 */
pending: number, 
/**
 * Events newly quarantined (forks included).
 */
quarantined: Array<Rejected>, 
/**
 * Whether the projections were replayed because an event sorted before the head.
 */
replayed: boolean, 
/**
 * Added events by kind.
 */
kinds: Array<[string, number]>, 
/**
 * Waiting events not kept because their remote is over the cap (they stay on the remote
 * and are read again when the workspace's membership changes).
 */
dropped: number, };

export type Held = { seen_at: string, event: string | null, author: string | null, seq: number | null, code: string, reason: string, source: string, };

export type FileNote = { file: string, reason: string, };

export type JoinRequest = { format: string, workspace: string, public_key: string, name: string, email: string, };

export type SyncReport = { remote: string, location: string, files_read: number, pulled: IngestReport, 
/**
 * Events written to the remote.
 */
pushed: number, pushed_files: Array<string>, 
/**
 * This replica's small segments packed into one during this sync (their events are in
 * the new one; the old files are gone from the remote).
 */
packed: Array<string>, 
/**
 * Files still being copied; read again next time.
 */
incomplete: Array<string>, 
/**
 * Files not taken in (not Relm's, another workspace, unreadable).
 */
ignored: Array<FileNote>, 
/**
 * Segment files changed after they were written (their events were checked one by one).
 */
altered: Array<string>, 
/**
 * Lines of remote files that are not events, quarantined.
 */
garbled: Array<Rejected>, 
/**
 * Join requests seen for the first time.
 */
join_requests: Array<JoinRequest>, 
/**
 * Segments whose header claims events the file does not carry: security findings.
 */
lying: Array<FileNote>, 
/**
 * Set when this replica's own folder on the remote was unusable (a link, a file) and it
 * moved to a new one.
 */
moved_to: string | null, };

export type SyncOutcome = { remote: string, ok: boolean, 
/**
 * `ok`, `offline` or `error`.
 */
result: string, error: ApiError | null, report: SyncReport | null, };

export type AuthorSeen = { key_id: string, fingerprint: string, name: string | null, active: boolean, last_seq: number, last_at: string, };

export type NotApplied = { event: string, entity: string | null, kind: string, author: string, at: string, code: string, reason: string, };

export type JoinRequestView = { key_id: string, fingerprint: string, public_key: string, name: string, email: string, remote: string, seen_at: string, };

export type SyncStatus = { replica_id: string, 
/**
 * Whether this replica's identity is a member able to record changes.
 */
member: boolean, remotes: Array<RemoteView>, quarantined: Array<Held>, 
/**
 * Forks among the quarantined events: security findings, by author.
 */
forks: Array<Held>, pending: Array<Held>, not_applied: Array<NotApplied>, members: Array<AuthorSeen>, join_requests: Array<JoinRequestView>, 
/**
 * Remote files whose header claims events they do not carry (`remote:file`).
 */
lying: Array<FileNote>, 
/**
 * Members whose key signed two histories: nothing of theirs from the fork point counts
 * until an admin rotates their key (`relm member rotate`).
 */
forked: Array<Fork>, };

export type RiskLevel = "low" | "medium" | "high" | "critical";

export type Decision = "approve" | "reject";

export type Tier = "development" | "test" | "staging" | "production";

export type Outcome = "allowed" | "allowed_with_warnings" | "blocked";

export type LineStatus = "pass" | "fail" | "warn" | "not_applicable";

export type Action = { "kind": "approve", environment: string, } | { "kind": "submit" } | { "kind": "plan_window", earliest?: string, } | { "kind": "edit", field: string, } | { "kind": "rehearse" } | { "kind": "deploy", environment: string, } | { "kind": "declare_emergency" } | { "kind": "justify_freeze", entry: string, environment: string, } | { "kind": "policy" } | { "kind": "calendar", entry: string, } | { "kind": "risk", risk: string, } | { "kind": "review", release: string, } | { "kind": "actions" };

export type Line = { 
/**
 * The rule's id in the policy (`rego:NAME` for Rego rules, `policy` for the engine's own).
 */
rule: string, kind: string, status: LineStatus, reason: string, 
/**
 * What the rule looked at.
 */
evidence: Array<string>, 
/**
 * What would satisfy it; absent when it passes or does not apply.
 */
remedy?: string, 
/**
 * The same remedy as an action the app offers (a button or a form), language-neutral.
 */
action?: Action, };

export type ApprovalLine = { event_id: string, by: string, name: string, decision: string, environment: string, at: string, expires_at?: string, comment?: string, policy_version: number, 
/**
 * Approved exactly the release as it is now.
 */
fresh: boolean, 
/**
 * Counts toward the rule (fresh, not expired, not self-approval, role held).
 */
counts: boolean, 
/**
 * Why it counts or does not.
 */
reason: string, };

export type Verdict = { release_id: string, service: string, version: string, environment: string, tier?: Tier, 
/**
 * The time judged, RFC 3339 UTC.
 */
at: string, 
/**
 * The policy version applied (0: none applied yet, the built-in default was used).
 */
policy_version: number, 
/**
 * The governed digest approvals must carry to count.
 */
release_digest: string, outcome: Outcome, rules: Array<Line>, 
/**
 * Approvals and rejections for this environment, latest per person.
 */
approvals: Array<ApprovalLine>, 
/**
 * Escalation authorizations (critical releases), judged on their own.
 */
authorizations: Array<ApprovalLine>, 
/**
 * The release went out on the emergency path and must be reviewed.
 */
review_required: boolean, 
/**
 * The release's risk level as every rule saw it, and what decided it.
 */
risk: VerdictRisk, };

export type CheckRequest = { 
/**
 * A release id or a unique prefix.
 */
release?: string, 
/**
 * With `version`, finds the release from a pipeline.
 */
service?: string, version?: string, environment: string, 
/**
 * RFC 3339; now when absent.
 */
at?: string, 
/**
 * The language the verdict is worded in (English by default).
 */
lang: Lang, 
/**
 * The IANA zone its times are worded in, for a person (the app's); RFC 3339 UTC when
 * absent (the CLI, CI logs).
 */
zone?: string, };

export type PendingDecision = { release_id: string, service: string, version: string, title: string, environment: string, window_start?: string, 
/**
 * The window's start as wall-clock time in its own zone, naming the zone (`2027-03-19
 * 18:00 CET (Europe/Paris)`): what an OS notification says of it.
 */
window_local?: string, 
/**
 * The rule line that waits for it.
 */
reason: string, };

export type PolicySummary = { version: number, name: string, note: string, applied_at: string, applied_by: string, applied_by_name: string, rules: number, };

export type PolicyVersion = { version: number, event_id: string, note: string, source: string, applied_at: string, applied_by: string, };

export type SimulatedChange = { release_id: string, service: string, version: string, environment: string, before: Outcome, after: Outcome, 
/**
 * The draft's failing or warning lines that explain the new outcome.
 */
reasons: Array<string>, };

export type Simulation = { current_version: number, at: string, 
/**
 * Release × environment pairs judged.
 */
checked: number, changed: Array<SimulatedChange>, };

export type Lang = "en" | "fr";

export type Kind = "freeze" | "window";

export type Level = "hard" | "soft";

export type Scope = { environments?: Array<string>, services?: Array<string>, };

export type OccurrenceView = { entry_id: string, name: string, kind: Kind, 
/**
 * Freezes: `hard` or `soft`.
 */
level?: Level, 
/**
 * RFC 3339, `Z`.
 */
start_utc: string, end_utc: string, 
/**
 * Wall-clock in `tz`.
 */
start_local: string, end_local: string, tz: string, scope: Scope, 
/**
 * A start or end fell in a daylight-saving gap and was moved forward.
 */
shifted: boolean, 
/**
 * The entry's reason (empty when none was given), and the name of the member answerable
 * for it.
 */
reason: string, owner: string, 
/**
 * Windows: the hard freeze that overlaps this occurrence and so decides over it (a hard
 * freeze beats a window).
 */
overridden_by?: string, };

export type UnreadableEntry = { id: string, name: string, 
/**
 * The member answerable for it (name, or key id).
 */
owner: string, 
/**
 * Why, in English (inside a sentence, without its full stop).
 */
why: string, 
/**
 * Why, as a problem of the entry's field the app words in the reader's language.
 */
problem: FieldProblem, };

export type Listing = { occurrences: Array<OccurrenceView>, unreadable: Array<UnreadableEntry>, };

export type Period = { start: string, end: string, };

export type Override = { of: string, start: string, end: string, cancelled?: boolean, and_future?: boolean, };

export type Entry = { name: string, kind: Kind, 
/**
 * Freezes only: hard (the default) or soft.
 */
level?: Level, scope: Scope, reason?: string, 
/**
 * The member answerable for the entry (a key id); whoever recorded it when absent.
 */
owner?: string, 
/**
 * IANA zone the times are in, e.g. `Europe/Paris`.
 */
tz: string, 
/**
 * The first (or only) occurrence, wall-clock in `tz`.
 */
start: string, end: string, 
/**
 * RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=FR`), repeating `start`..`end`.
 */
rrule?: string | null, 
/**
 * Occurrences left out (their start, wall-clock).
 */
exdates?: Array<string>, 
/**
 * Extra occurrences (their start, wall-clock).
 */
rdates?: Array<string>, 
/**
 * Further RRULEs (an imported event may have several): the occurrences are the union.
 */
more_rrules?: Array<string>, 
/**
 * Days left out whole (an EXDATE given as a DATE): every occurrence starting that day.
 */
exdays?: Array<string>, 
/**
 * Extra occurrences with their own length (RDATE;VALUE=PERIOD).
 */
periods?: Array<Period>, 
/**
 * Occurrences moved, lengthened or cancelled one by one (an event with a RECURRENCE-ID).
 */
overrides?: Array<Override>, 
/**
 * Where an imported entry came from (the event's UID, or the holiday set), so importing
 * the same file again updates it.
 */
source?: string, };

export type CalendarRow = { id: string, created_at: string, created_by: string, updated_at: string, updated_by: string, name: string, kind: Kind, 
/**
 * Freezes only: hard (the default) or soft.
 */
level?: Level, scope: Scope, reason?: string, 
/**
 * The member answerable for the entry (a key id); whoever recorded it when absent.
 */
owner?: string, 
/**
 * IANA zone the times are in, e.g. `Europe/Paris`.
 */
tz: string, 
/**
 * The first (or only) occurrence, wall-clock in `tz`.
 */
start: string, end: string, 
/**
 * RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=FR`), repeating `start`..`end`.
 */
rrule?: string | null, 
/**
 * Occurrences left out (their start, wall-clock).
 */
exdates?: Array<string>, 
/**
 * Extra occurrences (their start, wall-clock).
 */
rdates?: Array<string>, 
/**
 * Further RRULEs (an imported event may have several): the occurrences are the union.
 */
more_rrules?: Array<string>, 
/**
 * Days left out whole (an EXDATE given as a DATE): every occurrence starting that day.
 */
exdays?: Array<string>, 
/**
 * Extra occurrences with their own length (RDATE;VALUE=PERIOD).
 */
periods?: Array<Period>, 
/**
 * Occurrences moved, lengthened or cancelled one by one (an event with a RECURRENCE-ID).
 */
overrides?: Array<Override>, 
/**
 * Where an imported entry came from (the event's UID, or the holiday set), so importing
 * the same file again updates it.
 */
source?: string, };

export type CalendarInput = { 
/**
 * `freeze` or `window`.
 */
kind?: string, 
/**
 * For freezes: soft (warns) instead of hard (blocks, the default).
 */
soft: boolean, name?: string, 
/**
 * Wall-clock time in `tz` of the first (or only) occurrence, e.g. `2027-03-19T18:00`.
 */
start?: string, end?: string, tz?: string, rrule?: string, exdates: Array<string>, rdates: Array<string>, environments: Array<string>, services: Array<string>, reason?: string, 
/**
 * The member answerable for it: a key id (or a unique prefix) or an e-mail; whoever
 * records it by default.
 */
owner?: string, };

export type ImportRequest = { 
/**
 * `freeze`, `window` or `holidays`.
 */
kind: string, 
/**
 * The holiday set's name (required for `holidays`).
 */
name?: string, 
/**
 * Zone for floating times and all-day dates (default UTC).
 */
tz?: string, soft: boolean, 
/**
 * Holidays: freeze the day before each holiday too.
 */
day_before: boolean, environments: Array<string>, services: Array<string>, };

export type IcsNoteCode = "not_content_lines" | "end_closes_also" | "end_read_as" | "end_without_begin" | "unknown_wr_timezone" | "unknown_zone" | "zone_by_offsets" | "stale_overrides" | "older_versions" | "cancelled" | "orphans" | "no_end" | "swapped" | "same_day" | "negative_count" | "never_occurs";

export type IcsNote = { code: IcsNoteCode, line?: number, params: { [key in string]: string }, };

export type RuleMistake = "frequency" | "too_often" | "weekday" | "range" | "count" | "until" | "no_frequency" | "repeated" | "part" | "by_frequency" | "not_allowed";

export type ImportOutcome = { added: number, updated: number, 
/**
 * Holidays: the dates frozen.
 */
dates: number, 
/**
 * How the file was read where it needed a choice (events without an end, zones the
 * file defines, cancelled events, series without occurrences…), one sentence each,
 * with `file:line`.
 */
notes: Array<string>, 
/**
 * The same, each with its code, line and values (the app words them).
 */
read: Array<IcsNote>, };

export type CalendarRelease = { id: string, service: string, version: string, title: string, status: ReleaseStatus, 
/**
 * Some status change of this release was an override.
 */
overridden: boolean, environments: Array<string>, window: PlannedWindow, };

export type CalendarReleaseView = { 
/**
 * "2027-03-19T18:00" in the zone shown.
 */
start_local: string, end_local: string, id: string, service: string, version: string, title: string, status: ReleaseStatus, 
/**
 * Some status change of this release was an override.
 */
overridden: boolean, environments: Array<string>, window: PlannedWindow, };

export type CalendarReleases = { 
/**
 * In window order (start, then id): every release whose window overlaps the period or,
 * when a number per day was asked for, the first that many of each day.
 */
releases: Array<CalendarReleaseView>, 
/**
 * How many releases touch each day of the period ("2027-03-19" in the zone shown) that
 * has any.
 */
days: { [key in string]: number }, 
/**
 * How many releases overlap the period, each once.
 */
total: number, 
/**
 * More releases than the most listed ([`MAX_CALENDAR_RELEASES`]) were to be listed: the
 * first ones are.
 */
truncated: boolean, };

export type ConflictSummary = { total: number, errors: number, conflicts: Array<Conflict>, 
/**
 * Releases with at least one error (of those the summary is of), whichever conflicts are
 * listed.
 */
blocked: Array<string>, };

export type Severity = "error" | "warning";

export type Code = "inside_hard_freeze" | "inside_soft_freeze" | "crosses_freeze_start" | "outside_windows" | "same_service_overlap" | "same_environment_overlap" | "unreadable_entry";

export type Conflict = { release_id: string, service: string, version: string, environment?: string, severity: Severity, code: Code, 
/**
 * The calendar entry that decided, when one did.
 */
entry_id?: string, entry_name?: string, 
/**
 * The occurrence of the entry concerned (RFC 3339), when one is.
 */
occurrence?: [string, string], 
/**
 * The other release, for overlaps.
 */
other_release?: string, 
/**
 * The other release as "service version", for overlaps.
 */
other_name?: string, 
/**
 * The maintenance window a hard freeze decided over, when the release is inside both.
 */
over_window?: string, 
/**
 * For overlaps: how many releases overlap it besides `other_release` (the same way: same
 * service, or the same environment). One warning names the first and counts the rest, so
 * seventy releases of an evening give seventy warnings, not thousands of pairs.
 */
others?: number | undefined, reason: string, };

export type RescheduleRequest = { 
/**
 * A release id or a unique prefix.
 */
release: string, 
/**
 * RFC 3339, or wall-clock time in `tz`.
 */
start: string, end: string, 
/**
 * The window's zone; the release's current one when absent (UTC when it has none).
 */
tz?: string, 
/**
 * The language verdicts are worded in.
 */
lang: Lang, };

export type ReschedulePreview = { release_id: string, service: string, version: string, 
/**
 * The new window, RFC 3339 UTC, and its zone.
 */
start: string, end: string, tz: string, 
/**
 * The release's governed digest now: saving with it refuses if the release changed since.
 */
base_digest: string, 
/**
 * Conflicts at the new time (the release's own, and overlaps it takes part in).
 */
conflicts: Array<Conflict>, 
/**
 * Conflicts at the current time, to compare.
 */
conflicts_before: Array<Conflict>, 
/**
 * The verdict for each environment, judged at the new start (or now, if that is later).
 */
verdicts: Array<Verdict>, 
/**
 * Approvals of the release as it is now that the move would make stale.
 */
stale_approvals: number, };

export type Fork = { author: string, fingerprint: string, 
/**
 * The first sequence number the author signed twice: nothing of theirs from it counts.
 */
seq: number, 
/**
 * The two events found there (hashes, in order).
 */
hashes: [string, string], 
/**
 * The key is no longer an active member's (an admin rotated or removed it).
 */
resolved: boolean, };

export type WorkspaceSettings = { max_clock_offset_minutes: number, };

export type AuditQuery = { 
/**
 * A release id or a unique prefix.
 */
release?: string, 
/**
 * A member: key id, fingerprint, name or e-mail.
 */
member?: string, 
/**
 * An event kind (`release.status_changed`) or a family ending with `.` (`release.`).
 */
kind?: string, 
/**
 * From this date (`2027-03-01`, inclusive) or RFC 3339 instant.
 */
from?: string, 
/**
 * Until this date (inclusive: `2027-03-31` takes in that whole day, UTC), or before this
 * RFC 3339 instant.
 */
to?: string, 
/**
 * Only overrides, break-glass declarations and emergency approvals.
 */
flagged: boolean, 
/**
 * At most this many (newest first); 500 by default, 5000 at most.
 */
limit?: number, };

export type AuditEntry = { 
/**
 * For a release edit: each field it changed, before → after.
 */
changes: Array<FieldChange>, flags: Array<Flag>, id: string, hash: string, at: string, hlc: string, 
/**
 * The author's wall clock when signing (format 2 events), beside the ledger order: it
 * decides nothing, and may disagree with `at` when the author's clock was off.
 */
signed_at: string | null, author: string, author_name: string | null, seq: number, kind: string, entity: string | null, payload: JsonValue, };

export type FieldChange = { field: string, before: JsonValue, after: JsonValue, };

export type Flag = "override" | "break_glass" | "emergency_approval";

export type RiskCategory = "technical" | "security" | "operational" | "compliance" | "business" | "schedule";

export type RiskStatus = "open" | "mitigating" | "accepted" | "closed";

export type RiskFields = { title: string, description?: string, category: RiskCategory, 
/**
 * 1 (rare) to 5 (almost certain).
 */
likelihood: number, 
/**
 * 1 (negligible) to 5 (severe).
 */
impact: number, 
/**
 * The member who answers for it (its creator unless given).
 */
owner: KeyId, 
/**
 * Services it threatens.
 */
services?: Array<string>, 
/**
 * Releases it threatens (ids).
 */
releases?: Array<string>, 
/**
 * When it must be looked at again (`YYYY-MM-DD`).
 */
review_by?: string, 
/**
 * Likelihood once the mitigations work; the inherent one until given.
 */
residual_likelihood?: number, 
/**
 * Impact once the mitigations work; the inherent one until given.
 */
residual_impact?: number, };

export type Mitigation = { action: string, owner?: KeyId, 
/**
 * `YYYY-MM-DD`.
 */
due?: string, done: boolean, };

export type Closure = { by: KeyId, reason: string, at: string, };

export type AcceptanceView = { by: string, by_name: string | null, reason: string, expires_at: string, at: string, 
/**
 * Past its expiry: the risk is open again.
 */
expired: boolean, };

export type RiskView = { id: string, owner_name: string | null, 
/**
 * Likelihood × impact (1–25).
 */
score: number, 
/**
 * The residual likelihood × impact, the inherent values where none are given.
 */
residual_score: number, 
/**
 * The status now: an acceptance past its expiry leaves the risk open or mitigating.
 */
status: RiskStatus, mitigations: Array<Mitigation>, acceptance: AcceptanceView | null, closure: Closure | null, 
/**
 * Its review date has passed and it is not closed.
 */
review_overdue: boolean, created_at: string, created_by: string, updated_at: string, revision: number, title: string, description?: string, category: RiskCategory, 
/**
 * 1 (rare) to 5 (almost certain).
 */
likelihood: number, 
/**
 * 1 (negligible) to 5 (severe).
 */
impact: number, 
/**
 * The member who answers for it (its creator unless given).
 */
owner: KeyId, 
/**
 * Services it threatens.
 */
services?: Array<string>, 
/**
 * Releases it threatens (ids).
 */
releases?: Array<string>, 
/**
 * When it must be looked at again (`YYYY-MM-DD`).
 */
review_by?: string, 
/**
 * Likelihood once the mitigations work; the inherent one until given.
 */
residual_likelihood?: number, 
/**
 * Impact once the mitigations work; the inherent one until given.
 */
residual_impact?: number, };

export type RiskDetail = { events: Array<LogEntry>, id: string, owner_name: string | null, 
/**
 * Likelihood × impact (1–25).
 */
score: number, 
/**
 * The residual likelihood × impact, the inherent values where none are given.
 */
residual_score: number, 
/**
 * The status now: an acceptance past its expiry leaves the risk open or mitigating.
 */
status: RiskStatus, mitigations: Array<Mitigation>, acceptance: AcceptanceView | null, closure: Closure | null, 
/**
 * Its review date has passed and it is not closed.
 */
review_overdue: boolean, created_at: string, created_by: string, updated_at: string, revision: number, title: string, description?: string, category: RiskCategory, 
/**
 * 1 (rare) to 5 (almost certain).
 */
likelihood: number, 
/**
 * 1 (negligible) to 5 (severe).
 */
impact: number, 
/**
 * The member who answers for it (its creator unless given).
 */
owner: KeyId, 
/**
 * Services it threatens.
 */
services?: Array<string>, 
/**
 * Releases it threatens (ids).
 */
releases?: Array<string>, 
/**
 * When it must be looked at again (`YYYY-MM-DD`).
 */
review_by?: string, 
/**
 * Likelihood once the mitigations work; the inherent one until given.
 */
residual_likelihood?: number, 
/**
 * Impact once the mitigations work; the inherent one until given.
 */
residual_impact?: number, };

export type RiskInput = { title?: string, description?: string, 
/**
 * technical, security, operational, compliance, business or schedule.
 */
category?: string, likelihood?: number, impact?: number, 
/**
 * A member's key, key id or e-mail (the author by default).
 */
owner?: string, services?: Array<string>, 
/**
 * Release ids or unique prefixes.
 */
releases?: Array<string>, 
/**
 * `YYYY-MM-DD`.
 */
review_by?: string, residual_likelihood?: number, residual_impact?: number, };

export type MitigationInput = { action: string, owner?: string, 
/**
 * `YYYY-MM-DD`.
 */
due?: string, done: boolean, residual_likelihood?: number, residual_impact?: number, };

export type RiskQuery = { 
/**
 * open, mitigating, accepted or closed, as of now; or a view: `active` (open or
 * mitigating), `expiring` (accepted, expiring within 14 days), `overdue` (review date
 * passed, not closed).
 */
status?: string, service?: string, release?: string, min_score?: number, 
/**
 * Words of the title.
 */
search?: string, limit?: number, 
/**
 * Rows to skip (the next page starts after the rows already shown).
 */
offset?: number, 
/**
 * `score` (the default, highest first), `residual`, `title`, `status`, `review` or
 * `updated`; a leading `-` sorts descending.
 */
sort?: string, 
/**
 * A cell of the heat map: this likelihood and impact, on the residual map when
 * `residual`.
 */
likelihood?: number, impact?: number, residual?: boolean, };

export type RiskAnswerChoice = { value: string, points: number, 
/**
 * What the app shows (the value when empty); `label_fr` in French.
 */
label?: string, label_fr?: string, };

export type RiskQuestion = { 
/**
 * Stable name, used by answers (`relm risk answer --question KEY`).
 */
key: string, text: string, text_fr?: string, answers: Array<RiskAnswerChoice>, };

export type FactorSource = "questionnaire" | "signals";

export type RiskFactor = { name: string, points: number, source: FactorSource, detail: string, params: { [key in string]: string }, };

export type RiskMethod = "questionnaire" | "signals";

export type RiskLowering = { level: RiskLevel, 
/**
 * The level the approver saw.
 */
from: RiskLevel, reason: string, 
/**
 * Key id and name of the approver.
 */
by: string, name: string, 
/**
 * RFC 3339 UTC.
 */
at: string, event_id: string, };

export type RiskLevelJudged = { 
/**
 * The level that counts.
 */
level: RiskLevel, 
/**
 * What the assessment gives.
 */
assessed: RiskLevel, 
/**
 * Raised by hand above the assessment (a release's `risk` field).
 */
raised?: RiskLevel, 
/**
 * The lowering in force.
 */
lowered?: RiskLowering, 
/**
 * The latest lowering, no longer in force: the level rose above what its approver saw.
 */
lapsed?: RiskLowering, };

export type ReleaseAssessment = { 
/**
 * The deciding method's score.
 */
score: number, method: RiskMethod, questionnaire_score: number, questionnaire_level: RiskLevel, signals_score: number, signals_level: RiskLevel, 
/**
 * Every factor that added points, highest first.
 */
factors: Array<RiskFactor>, 
/**
 * The release's answers, by question key.
 */
answers: { [key in string]: string }, 
/**
 * Questions not answered yet.
 */
unanswered: Array<string>, 
/**
 * The level that counts.
 */
level: RiskLevel, 
/**
 * What the assessment gives.
 */
assessed: RiskLevel, 
/**
 * Raised by hand above the assessment (a release's `risk` field).
 */
raised?: RiskLevel, 
/**
 * The lowering in force.
 */
lowered?: RiskLowering, 
/**
 * The latest lowering, no longer in force: the level rose above what its approver saw.
 */
lapsed?: RiskLowering, };

export type VerdictRisk = { method: RiskMethod, 
/**
 * The deciding method's score.
 */
score: number, 
/**
 * The level and the deciding method's factors, worded.
 */
decided_by: string, 
/**
 * The level that counts.
 */
level: RiskLevel, 
/**
 * What the assessment gives.
 */
assessed: RiskLevel, 
/**
 * Raised by hand above the assessment (a release's `risk` field).
 */
raised?: RiskLevel, 
/**
 * The lowering in force.
 */
lowered?: RiskLowering, 
/**
 * The latest lowering, no longer in force: the level rose above what its approver saw.
 */
lapsed?: RiskLowering, };

export type ReleaseRisk = { assessment: ReleaseAssessment, questions: Array<RiskQuestion>, linked: Array<RiskView>, };

export type RiskCounts = { active_high: number, expiring_soon: number, overdue_reviews: number, };

export type SkippedRow = { 
/**
 * The line the row starts on (1 is the header).
 */
line: number, message: string, problems: Array<FieldProblem>, };

export type CsvImport = { imported: number, 
/**
 * The ids of the risks imported, in file order.
 */
ids: Array<string>, 
/**
 * Rows left out (only with `skip_invalid`).
 */
skipped: Array<SkippedRow>, };

export type RiskHeatmap = { inherent: [[number, number, number, number, number], [number, number, number, number, number], [number, number, number, number, number], [number, number, number, number, number], [number, number, number, number, number]], residual: [[number, number, number, number, number], [number, number, number, number, number], [number, number, number, number, number], [number, number, number, number, number], [number, number, number, number, number]], 
/**
 * How many risks match, all cells together.
 */
total: number, };

export type DeployOutcome = "succeeded" | "failed" | "rolled_back" | "partial";

export type RehearsalResult = "passed" | "failed";

export type RollbackPlan = { 
/**
 * The version to go back to.
 */
previous_version: string, 
/**
 * What to do, in order.
 */
steps: string, 
/**
 * Whether the release's data changes can be undone; when not, `forward_fix` says how the
 * data is repaired going forward instead.
 */
reversible: boolean, forward_fix?: string, 
/**
 * Feature flags that turn the change off without a rollback.
 */
feature_flags?: Array<string>, 
/**
 * How long a rollback takes, in minutes.
 */
duration_minutes?: number, 
/**
 * The member who decides to roll back.
 */
decider?: string, };

export type Deviation = { "kind": "outside_window", window?: [string, string], } | { "kind": "not_allowed", rules: Array<string>, } | { "kind": "in_freeze", entry_id: string, name: string, hard: boolean, } | { "kind": "skipped_environment", skipped: string, };

export type DeviationView = { kind: string, reason: string, detail: Deviation, };

export type DeploymentRecord = { 
/**
 * The recording event's id.
 */
id: string, release_id: string, service: string, version: string, environment: string, 
/**
 * As it stands: `rolled_back` once a rollback undid it.
 */
outcome: DeployOutcome, 
/**
 * As it was recorded.
 */
recorded_outcome: DeployOutcome, started_at: string, ended_at: string, tool: string, link?: string, external_ref?: string, note: string, release_digest: string, deviations: Array<Deviation>, 
/**
 * The rollback event that undid it.
 */
rolled_back_by?: string, recorded_at: string, recorded_by: string, };

export type DeploymentView = { deviation_reasons: Array<DeviationView>, recorded_by_name: string, 
/**
 * The recording event's id.
 */
id: string, release_id: string, service: string, version: string, environment: string, 
/**
 * As it stands: `rolled_back` once a rollback undid it.
 */
outcome: DeployOutcome, 
/**
 * As it was recorded.
 */
recorded_outcome: DeployOutcome, started_at: string, ended_at: string, tool: string, link?: string, external_ref?: string, note: string, release_digest: string, deviations: Array<Deviation>, 
/**
 * The rollback event that undid it.
 */
rolled_back_by?: string, recorded_at: string, recorded_by: string, };

export type Recorded = { id: string, deviations: Array<DeviationView>, 
/**
 * The same deployment was recorded before under its reference: nothing was stored.
 */
existing: boolean, 
/**
 * The release's status after it.
 */
status: ReleaseStatus, };

export type DeploymentInput = { release: string, environment: string, 
/**
 * succeeded, failed, rolled_back or partial.
 */
outcome: string, 
/**
 * RFC 3339.
 */
start?: string, 
/**
 * RFC 3339.
 */
end?: string, 
/**
 * The zone of `start` and `end` when they are wall-clock times (`2027-03-19T18:00`);
 * without it they must be RFC 3339.
 */
tz?: string, tool?: string, link?: string, 
/**
 * `TOOL:ID` in the tool that ran it.
 */
external_ref?: string, note?: string, };

export type DeploymentQuery = { release?: string, service?: string, environment?: string, 
/**
 * Any of these environments, each with the names the policy gives it as aliases (the
 * environments of `relm metrics`).
 */
environments?: Array<string>, 
/**
 * The environments `relm metrics` measures instead (`environment` when given, else the
 * policy's production ones), each with its aliases: the deployments its figures count,
 * asked for beside them rather than after.
 */
measured?: boolean, 
/**
 * A date (`YYYY-MM-DD`, from its start, UTC) or an RFC 3339 time.
 */
from?: string, 
/**
 * A date (`YYYY-MM-DD`, to its end, UTC) or an RFC 3339 time.
 */
to?: string, 
/**
 * The latest this many at most (newest first).
 */
limit?: number, };

export type PlanInput = { previous_version: string, steps: string, 
/**
 * Whether the data changes can be undone (yes by default).
 */
reversible?: boolean, forward_fix?: string, feature_flags?: Array<string>, duration_minutes?: number, 
/**
 * A member's key id, fingerprint or e-mail.
 */
decider?: string, };

export type Readiness = "no_plan" | "rehearsal_failed" | "planned" | "rehearsed";

export type PlanRecord = { event_id: string, plan: RollbackPlan, at: string, by: string, };

export type RehearsalRecord = { id: string, environment?: string, result: RehearsalResult, note: string, link?: string, evidence_digest?: string, at: string, by: string, };

export type RollbackRecord = { id: string, environment: string, to_version: string, reason: string, deployment: string, 
/**
 * The `rollback.planned` event in force when it was recorded.
 */
plan_event?: string, at: string, by: string, };

export type RollbackView = { release_id: string, readiness: Readiness, plan?: PlanRecord, 
/**
 * The decider's name, when the plan names one.
 */
decider_name?: string, 
/**
 * The release's free-text rollback plan (it counts as a plan when no structured one is).
 */
plan_text: string, rehearsals: Array<RehearsalRecord>, rollbacks: Array<RollbackRecord>, };

export type ReviewOutcome = "succeeded" | "succeeded_with_issues" | "failed" | "rolled_back";

export type IncidentSeverity = "sev1" | "sev2" | "sev3" | "sev4";

export type Incident = { 
/**
 * Its reference in the incident tool (`INC-4411`).
 */
reference: string, severity: IncidentSeverity, 
/**
 * RFC 3339 UTC.
 */
start: string, 
/**
 * RFC 3339 UTC; absent while it lasts.
 */
end?: string, };

export type ReviewContent = { outcome?: ReviewOutcome, went_well: string, went_badly: string, incidents: Array<Incident>, };

export type ReviewStatus = "missing" | "draft" | "signed";

export type TimelineEntry = { at: string, kind: string, 
/**
 * In English; `params` let the app word it in the reader's language.
 */
text: string, event?: string, params: { [key in string]: string }, };

export type SignatureView = { by: string, name: string, as_owner: boolean, as_approver: boolean, at: string, 
/**
 * Made on the review as it is now.
 */
current: boolean, };

export type ActionRow = { id: string, release_id: string, service: string, title: string, owner: string, due: string, created_at: string, created_by: string, done_at?: string, done_by?: string, };

export type ActionView = { owner_name: string, version: string, overdue: boolean, id: string, release_id: string, service: string, title: string, owner: string, due: string, created_at: string, created_by: string, done_at?: string, done_by?: string, };

export type ReviewView = { release_id: string, service: string, version: string, title: string, owner: string, release_status: ReleaseStatus, status: ReviewStatus, 
/**
 * Mandatory (after an emergency, a failure, a rollback or a deviation).
 */
required: boolean, reasons: Array<string>, due?: string, overdue: boolean, content: ReviewContent, 
/**
 * What the content lacks before it can be signed off.
 */
missing: Array<string>, 
/**
 * Who must still sign: `owner`, `approver`.
 */
awaiting: Array<string>, digest?: string, opened_at?: string, signed_at?: string, signatures: Array<SignatureView>, timeline: Array<TimelineEntry>, actions: Array<ActionView>, };

export type ReviewSummary = { release_id: string, service: string, version: string, title: string, status: ReviewStatus, required: boolean, reasons: Array<string>, due?: string, overdue: boolean, signed_at?: string, open_actions: number, };

export type ReviewPage = { reviews: Array<ReviewSummary>, total: number, };

export type ReviewCounts = { 
/**
 * Required and not signed off, overdue ones included.
 */
due: number, 
/**
 * Required, not signed off and past their due date.
 */
overdue: number, };

export type ReviewInput = { outcome?: string, went_well?: string, went_badly?: string, 
/**
 * Replace the incidents (`REF:SEVERITY:START[:END]` on the command line).
 */
incidents?: Array<Incident>, };

export type ReviewQuery = { 
/**
 * Only required reviews not signed yet (overdue ones included).
 */
due: boolean, 
/**
 * Only required reviews past their due date.
 */
overdue: boolean, 
/**
 * The reviews still to do: required ones not signed yet, then drafts of reviews nobody
 * required.
 */
open: boolean, 
/**
 * Only reviews signed off, latest first.
 */
signed: boolean, 
/**
 * At most this many (all when 0).
 */
limit: number, 
/**
 * After the first this many.
 */
offset: number, };

export type ActionQuery = { overdue: boolean, 
/**
 * Open ones only.
 */
open: boolean, 
/**
 * A member's key id, fingerprint or e-mail.
 */
owner?: string, release?: string, };

export type Unrestored = { deployment: string, release_id: string, service: string, environment: string, failed_at: string, };

export type WeekPoint = { start: string, deployments: number, succeeded: number, 
/**
 * Failed or rolled back.
 */
failed: number, lead_time_hours_median: number | null, };

export type ServicePoint = { service: string, deployments: number, deployment_frequency_per_week: number, change_failure_rate: number | null, lead_time_hours_median: number | null, time_to_restore_hours_median: number | null, };

export type Metrics = { from: string, to: string, service: string | null, 
/**
 * The environments measured: the one asked for, or the policy's production ones.
 */
environments: Array<string>, deployments: number, succeeded: number, failed: number, deployment_frequency_per_week: number, lead_time_hours_median: number | null, change_failure_rate: number | null, time_to_restore_hours_median: number | null, unrestored: Array<Unrestored>, approval_lead_time_hours_median: number | null, deviations: number, deviation_share: number | null, freeze_overrides: number, emergency_ratio: number | null, review_completion_rate: number | null, overdue_actions: number, weeks: Array<WeekPoint>, services: Array<ServicePoint>, };

export type Written = { path: string, pages: number, bytes: number, 
/**
 * The evidence digest printed on every page.
 */
digest: string, 
/**
 * Ledger events the report rests on.
 */
events: number, };

export type PackWorkspace = { id: string, name: string, };

export type PackLedger = { 
/**
 * Hash of the last event of the exporter's ledger.
 */
head: string | null, events: number, };

export type PackExporter = { member: string, name: string, 
/**
 * `ed25519:…`, the key `manifest.sig` verifies with.
 */
key: string, };

export type PackEvidence = { path: string, 
/**
 * `sha256:…` of the events file, printed on every page of the report.
 */
digest: string, events: number, 
/**
 * Hash of the last event in the file.
 */
head: string | null, };

export type PackFile = { path: string, 
/**
 * Hex SHA-256.
 */
sha256: string, bytes: number, };

export type Manifest = { 
/**
 * `relm-pack/1`.
 */
format: string, 
/**
 * `release` or `period`.
 */
kind: string, 
/**
 * The release id, or the period (`2026-01-01..2026-03-31`, with ` env=NAME` when filtered).
 */
subject: string, workspace: PackWorkspace, 
/**
 * The exporter's ledger when the pack was made (more than the pack holds).
 */
ledger: PackLedger, exporter: PackExporter, 
/**
 * When the pack was made (UTC, RFC 3339; `SOURCE_DATE_EPOCH` when set).
 */
exported_at: string, 
/**
 * The report's language, `en` or `fr`.
 */
lang: string, 
/**
 * The releases the report covers (their facts are the tables').
 */
releases: Array<string>, evidence: PackEvidence, 
/**
 * Every file but the manifest and its signature.
 */
files: Array<PackFile>, };

export type PackWritten = { path: string, bytes: number, 
/**
 * `sha256:…` of `manifest.json`, as recorded in the export's event.
 */
manifest: string, 
/**
 * The evidence digest printed on every page of the report.
 */
digest: string, events: number, files: number, pages: number, };

export type PackStatus = "verified" | "not_verified" | "not_a_pack";

export type PackProblem = { subject: string, code: string, message: string, };

export type PackFileCheck = { path: string, bytes: number, sha256: string, ok: boolean, };

export type PackSigner = { member: string, name: string, fingerprint: string, roles: Array<string>, events: number, };

export type PackFinding = { event: string, kind: string, by: string, code: string, reason: string, };

export type PackVerdict = { status: PackStatus, ok: boolean, path: string, manifest: Manifest | null, files: Array<PackFileCheck>, 
/**
 * Events checked.
 */
events: number, signers: Array<PackSigner>, not_applied: Array<PackFinding>, problems: Array<PackProblem>, };

export type PackText = { name: string, text: string, 
/**
 * Only the first 2 MiB are shown.
 */
truncated: boolean, };

export type PeriodExport = { from: string, to: string, environment: string | null, path: string, paper: string, lang: string, zone: string | null, };

export type ConnectorInput = { 
/**
 * `github`, `gitlab` or `argocd`.
 */
platform: string, name: string, 
/**
 * The platform's API URL (GitHub's and GitLab.com's by default; Argo CD's is required).
 */
api_url?: string, 
/**
 * OWNER/REPO (GitHub), a project id or path (GitLab), an application (Argo CD).
 */
target: string, 
/**
 * Argo CD's project.
 */
project?: string, 
/**
 * The Relm service its deployments belong to (the repository's, project's or
 * application's last name by default).
 */
service?: string, 
/**
 * `PLATFORM_ENV=RELM_ENV` pairs.
 */
env_map: Array<string>, };

export type ConnectorView = { name: string, platform: string, api_url: string, target: string, project: string, service: string, env_map: { [key in string]: string }, added_at: string, last_sync_at: string | null, last_ok_at: string | null, last_pulled: number, last_pushed: number, 
/**
 * What the last sync's failures said, in English.
 */
last_errors: Array<string>, 
/**
 * The same, with their reasons for the app's wording.
 */
last_failures: Array<ApiError>, 
/**
 * Whether the OS keyring holds its token.
 */
has_token: boolean, 
/**
 * Deployments the platform reported that no release matched yet.
 */
waiting: number, 
/**
 * What the platform showed at the last sync besides deployments.
 */
seen: Seen, };

export type ProbeView = { name: string, ok: boolean, 
/**
 * The target's full name on the platform, when reached.
 */
found: string | null, 
/**
 * Why it was not reached, in English.
 */
error: string | null, 
/**
 * The same, with its reason for the app's wording.
 */
failure: ApiError | null, };

export type LeftOut = { 
/**
 * What was left out, in English.
 */
item: string, 
/**
 * Why, in English.
 */
reason: string, what: LeftOutItem, why: LeftOutWhy, 
/**
 * The values the wording of `what` and `why` needs, as text.
 */
params: { [key in string]: string }, };

export type LeftOutItem = "deployment" | "argo_sync" | "argo_operation" | "freeze_period" | "freezes" | "sync_windows";

export type LeftOutWhy = "missing_field" | "unknown_status" | "no_time" | "unread" | "canceled" | "not_an_environment" | "several_releases" | "not_targeted" | "ends_later";

export type ConnectorSync = { name: string, 
/**
 * Deployments recorded by this sync.
 */
pulled: number, 
/**
 * Writes delivered to the platform.
 */
pushed: number, 
/**
 * What failed (the sync of this connection stopped, or a write was not delivered), in
 * English; empty when it synced.
 */
errors: Array<string>, 
/**
 * The same failures, with their reasons for the app's wording.
 */
failures: Array<ApiError>, 
/**
 * Deployments left out, with the reason.
 */
left_out: Array<LeftOut>, 
/**
 * Deployments still running or waiting on the platform: recorded once they end.
 */
unfinished: number, 
/**
 * Deployments no release matches yet, kept to match again at the next sync.
 */
waiting: number, 
/**
 * Where the freeze periods or sync windows written to the platform cover more than the
 * calendar's freezes and windows (a platform's form cannot say exactly what they mean).
 */
wider: Array<string>, };

export type OutboxRow = { id: string, connector: string, 
/**
 * What it writes, e.g. `gitlab.approval`.
 */
kind: string, 
/**
 * What makes it once-only.
 */
key: string, 
/**
 * What is sent, as JSON.
 */
payload: string, 
/**
 * `pending`, `sending`, `done`, `failed` or `dropped`.
 */
state: string, attempts: number, 
/**
 * Why its last delivery failed or why it was dropped, in English.
 */
last_error: string | null, 
/**
 * The same as the API wrote it, with its reason for the app's wording (none when an
 * earlier version kept only the text).
 */
last_failure: ApiError | null, created_ms: number, updated_ms: number, 
/**
 * The platform's id of what was written, once done.
 */
remote_id: string | null, };

export type Seen = { environments: Array<SeenEnvironment>, releases: Array<SeenRelease>, 
/**
 * GitLab's freeze periods or Argo CD's sync windows, in words.
 */
freezes: Array<string>, 
/**
 * Argo CD: `Synced, Healthy`.
 */
status: string | null, 
/**
 * What could not be read, and why, in English.
 */
unread: Array<string>, 
/**
 * The same, as which part and why (in English), for the app's wording.
 */
unread_parts: Array<SeenUnread>, };

export type SeenEnvironment = { name: string, 
/**
 * Its protections, in words (`2 required reviewers`, `wait 30 min`, `protected branches
 * only`, GitLab's tier).
 */
rules: Array<string>, };

export type SeenRelease = { tag: string, name: string, 
/**
 * RFC 3339, when published (empty for a draft).
 */
published_at: string, url: string | null, };

export type SeenUnread = { what: SeenPart, 
/**
 * Why, in English.
 */
detail: string, };

export type SeenPart = "environments" | "releases";

export type SyncProgress = { done: number, total: number, report: ConnectorSync, };

export type Package = { name: string, 
/**
 * `None` when the document gives none.
 */
version?: string | null, 
/**
 * The package URL (`pkg:npm/%40scope/name@1.2.3`), when given and well formed.
 */
purl?: string | null, 
/**
 * Licence expressions (SPDX ids or expressions, or names as written).
 */
licenses?: Array<string>, };

export type SbomDocument = { 
/**
 * `cyclonedx` or `spdx`.
 */
format: string, 
/**
 * `1.4`, `1.5`, `1.6` (CycloneDX) or `2.3` (SPDX).
 */
spec_version: string, 
/**
 * `sha256:` and 64 hex digits: the document as given, byte for byte.
 */
digest: string, 
/**
 * The tool that wrote it, as it names itself.
 */
tool?: string | null, };

export type SbomNote = { code: SbomNoteCode, 
/**
 * The package the note is about (its name, or the key it was listed under), when one is.
 */
package?: string, 
/**
 * A second name: the malformed purl, or the other package given the same purl.
 */
other?: string, 
/**
 * How many notes were left out (`more` only).
 */
count?: number, 
/**
 * In English.
 */
message: string, };

export type SbomNoteCode = "nameless" | "odd_field" | "odd_purl" | "bad_purl" | "listed_twice" | "purl_shared" | "more";

export type Moved = { name: string, 
/**
 * The package's identity (its purl without version, else its name).
 */
identity: string, from: Package, to: Package, };

export type Relicensed = { name: string, version: string | null, from: Array<string>, to: Array<string>, };

export type Diff = { added: Array<Package>, removed: Array<Package>, upgraded: Array<Moved>, downgraded: Array<Moved>, 
/**
 * Licences changed: at the same version, or across an upgrade or downgrade.
 */
relicensed: Array<Relicensed>, unchanged: number, };

export type SbomAttached = { release_id: string, component: string, document: SbomDocument, 
/**
 * What the document describes, when it says.
 */
subject: string | null, packages: number, 
/**
 * What was odd in the document and how it was read, in English.
 */
notes: Array<string>, 
/**
 * The same notes, with their codes and names for the app's wording.
 */
note_details: Array<SbomNote>, event_id: string, };

export type ComponentContents = { component: string, document: SbomDocument, 
/**
 * RFC 3339 UTC.
 */
attached_at: string, attached_by: string, packages: Array<Package>, };

export type LicenceFinding = { component: string, name: string, version: string | null, 
/**
 * The entries of the deny list it falls under.
 */
licence: string, 
/**
 * The `sbom` rule whose list it is.
 */
rule: string, };

export type SbomContents = { release_id: string, service: string, version: string, components: Array<ComponentContents>, 
/**
 * Packages under a licence an `sbom` rule of the policy in force denies.
 */
findings: Array<LicenceFinding>, };

export type ReleaseRef = { id: string, service: string, version: string, status: string, };

export type SbomDiffView = { release: ReleaseRef, 
/**
 * `None`: no earlier release of the service has an SBOM; every package is new.
 */
against: ReleaseRef | null, diff: Diff, };

export type Shipping = { release: ReleaseRef, component: string, package: Package, };

export type DigestQuery = { 
/**
 * A date (`2027-03-01`) or an RFC 3339 time: the period's start.
 */
from: string, 
/**
 * A date (included) or an RFC 3339 time: the period's end.
 */
to: string, 
/**
 * Only this environment.
 */
environment?: string, 
/**
 * `en` (default) or `fr`.
 */
lang?: string, 
/**
 * The IANA zone times are shown in (UTC by default).
 */
zone?: string, };

export type DigestPart = { heading: string, lines: Array<string>, };

export type DigestPreview = { title: string, 
/**
 * `en` or `fr`: the language of every line.
 */
lang: string, 
/**
 * The line under the title: the workspace and the zone of the times.
 */
subtitle: string, sections: Array<DigestPart>, };

export type DigestWritten = { path: string, 
/**
 * `markdown`, `html` or `eml`.
 */
format: string, bytes: number, };

export type WebhookView = { name: string, 
/**
 * `slack` or `teams`.
 */
kind: string, 
/**
 * The URL's host (the URL is a secret).
 */
host: string, added_at: string, 
/**
 * Whether the OS keyring holds its URL.
 */
has_url: boolean, 
/**
 * Messages posted.
 */
sent: number, 
/**
 * Messages waiting or failed.
 */
waiting: number, };

export type WebhookSent = { webhook: string, 
/**
 * The digest's outbox entry, as it is now.
 */
entry: OutboxRow, 
/**
 * The same digest was queued before (nothing new was queued).
 */
queued_before: boolean, 
/**
 * Messages of this webhook delivered by this send (earlier failed ones included).
 */
delivered: number, 
/**
 * What could not be delivered, and why, in English.
 */
errors: Array<string>, 
/**
 * The same, with their reasons for the app's wording.
 */
failures: Array<ApiError>, };

export type FeedView = { name: string, path: string, 
/**
 * `env:NAME` / `service:NAME`; empty for everything.
 */
scope: Array<string>, added_at: string, last_written_at?: string, 
/**
 * Events in the file as last written.
 */
events: number, 
/**
 * Why the last refresh failed, in English.
 */
last_error?: string, 
/**
 * The same failure, with its reason for the app's wording (none for one an earlier
 * version kept as text).
 */
last_failure?: ApiError, };

export type FeedRefresh = { name: string, path: string, events: number, 
/**
 * The file was written (its content changed, or it was missing).
 */
written: boolean, 
/**
 * Why the file was not written, in English.
 */
error?: string, 
/**
 * The same, with its reason for the app's wording.
 */
failure?: ApiError, };

export type NotesDraft = { release_id: string, title: string, markdown: string, };

export type NotesWritten = { path: string, 
/**
 * `markdown` or `pdf`.
 */
format: string, bytes: number, };

export type SavedNotes = { release_id: string, 
/**
 * `en` or `fr`.
 */
lang: string, markdown: string, 
/**
 * `sha256:` of the Markdown.
 */
digest: string, event_id: string, at: string, by: string, by_name: string, };

export type NotesPublished = { release_id: string, 
/**
 * Each connection's entry, as it is after the delivery.
 */
entries: Array<OutboxRow>, 
/**
 * What failed, per connection (the entry stays in the outbox and is tried again), in
 * English.
 */
errors: Array<string>, 
/**
 * The same failures, with their reasons for the app's wording.
 */
failures: Array<ApiError>, };

export type Removed = "remote" | "connector" | "webhook" | "feed";

export type Undoable = { id: number, what: Removed, name: string, };
