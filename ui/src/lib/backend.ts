// The one place the UI talks to the backend. Every call goes through `call`, which makes outside
// text safe to show (shown.ts) and turns a rejected `invoke` into a typed `BackendError`.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { i18n, viewerZone } from "./i18n.svelte";
import { shown, shownText } from "./shown";
import type {
  CalendarInput,
  CalendarRow,
  ImportOutcome,
  ImportRequest,
  CsvImport,
  ReleaseRisk,
  RiskHeatmap,
  SbomAttached,
  SbomContents,
  SbomDiffView,
  Shipping,
  DigestPreview,
  DigestQuery,
  DigestWritten,
  WebhookSent,
  WebhookView,
  FeedRefresh,
  FeedView,
  NotesDraft,
  NotesPublished,
  NotesWritten,
  SavedNotes,
  Undoable,
} from "./bindings";
import type {
  ActionQuery,
  ActionView,
  Metrics,
  Written,
  PackWritten,
  PackVerdict,
  PackText,
  PeriodExport,
  ReviewInput,
  ReviewCounts,
  ReviewPage,
  ReviewQuery,
  ReviewView,
  DeploymentInput,
  DeploymentQuery,
  DeploymentView,
  PlanInput,
  Recorded,
  RollbackView,
  MitigationInput,
  RiskDetail,
  RiskInput,
  RiskQuery,
  RiskView,
  ApiError,
  AuditEntry,
  AuditQuery,
  AppInfo,
  CheckRequest,
  Conflict,
  ConflictSummary,
  Decision,
  Identity,
  InitOutcome,
  JoinOutcome,
  LogEntry,
  Preferences,
  Member,
  Listing,
  CalendarReleases,
  PendingDecision,
  PolicySummary,
  PolicyVersion,
  Release,
  ReleaseDetail,
  ReleaseInput,
  ReleasePage,
  ReleaseQuery,
  Remote,
  ConnectorInput,
  ConnectorView,
  ConnectorSync,
  SyncProgress,
  ProbeView,
  OutboxRow,
  ReschedulePreview,
  RescheduleRequest,
  Simulation,
  Summary,
  SyncOutcome,
  SyncStatus,
  WorkspaceSettings,
  Verdict,
  VerifyReport,
} from "./types";

export class BackendError extends Error {
  readonly code: ApiError["code"];
  readonly field: string | undefined;
  readonly problems: ApiError["problems"];
  readonly reason: ApiError["reason"];
  constructor(e: ApiError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field;
    this.problems = e.problems ?? [];
    this.reason = e.reason;
  }
}

function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** The backend calls in flight, how many were made and answered, and how long the last ones
 * took: what `make bench-app` waits on and times, as `window.__relmCalls`. Calls asked ahead
 * (see `ahead`) are counted apart: nothing on screen waits for them. */
export const calls = {
  inflight: 0,
  started: 0,
  answered: 0,
  // Each: the command, its ms, how many calls had been answered when it started, and its own
  // number among the answers (which calls went out before another's answer came).
  recent: [] as [string, number, number, number][],
  // Calls asked ahead and not answered yet.
  ahead: 0,
  // Rounds of the pages' opening questions asked ahead (prepare.ts).
  prepared: 0,
  // The arguments of each command's last call: what a page asks is what was prepared.
  questions: {} as Record<string, Record<string, unknown> | undefined>,
};
(globalThis as { __relmCalls?: typeof calls }).__relmCalls = calls;
const RECENT = 200;

let askingAhead = false;

/** Make the calls `ask` starts at once (before its first `await`) calls asked ahead: for
 * answers a page may want next, which nothing on screen waits for yet. */
export function ahead<T>(ask: () => Promise<T>): Promise<T> {
  askingAhead = true;
  try {
    return ask();
  } finally {
    askingAhead = false;
  }
}

/** `answer`, counted among the calls the page waits on until it settles: an answer asked
 * ahead that a page now shows. */
export const awaited = <T>(answer: Promise<T>) => counted("(asked ahead)", answer);

/** `answer` to `cmd`, counted among the calls in flight until it comes. */
function counted<T>(cmd: string, answer: Promise<T>): Promise<T> {
  calls.inflight++;
  calls.started++;
  const start = performance.now();
  const after = calls.answered;
  return answer.finally(() => {
    calls.inflight--;
    calls.answered++;
    calls.recent.push([cmd, performance.now() - start, after, calls.answered]);
    if (calls.recent.length > RECENT) calls.recent.shift();
  });
}

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  calls.questions[cmd] = args;
  if (!askingAhead) return counted(cmd, answer<T>(cmd, args));
  calls.ahead++;
  return answer<T>(cmd, args).finally(() => calls.ahead--);
}

/** The backend's answer to `cmd`, made safe to show; a refusal as a typed `BackendError`. */
async function answer<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    // Every string from the backend may be outside text (see shown.ts).
    return shown(await invoke<T>(cmd, args));
  } catch (e) {
    throw isApiError(e)
      ? new BackendError(shown(e))
      : new BackendError({ code: "internal", message: shownText(String(e)), problems: [] });
  }
}

export const backend = {
  appInfo: () => call<AppInfo>("app_info"),
  summary: () => call<Summary>("summary"),
  createWorkspace: (req: { workspace: string; name: string; email: string }) =>
    call<InitOutcome>("create_workspace", { req }),
  openDemo: () => call<Summary>("open_demo"),
  joinWorkspace: (req: { remote: string; name: string; email: string }, token: string | null) =>
    call<JoinOutcome>("join_workspace", { req, token }),
  listReleases: (query: ReleaseQuery) => call<ReleasePage>("list_releases", { query }),
  /** The next `limit` releases still to go out, soonest first. */
  upcomingReleases: (limit: number) => call<Release[]>("upcoming_releases", { limit }),
  releaseDetail: (id: string) => call<ReleaseDetail>("release_detail", { id }),
  createRelease: (input: ReleaseInput) => call<Release>("create_release", { input }),
  updateRelease: (id: string, input: ReleaseInput) =>
    call<Release>("update_release", { id, input }),
  setReleaseStatus: (id: string, to: string, note: string | null) =>
    call<Release>("set_release_status", { id, to, note }),
  auditLog: (entity: string | null, limit = 200) =>
    call<LogEntry[]>("audit_log", { entity, limit }),
  verify: () => call<VerifyReport>("verify"),
  repairTables: () => call<VerifyReport>("repair_tables"),
  audit: (query: AuditQuery) => call<AuditEntry[]>("audit", { query }),
  exportAuditCsv: (query: AuditQuery, path: string) =>
    call<number>("export_audit_csv", { query, path }),
  identity: () => call<Identity>("identity"),
  exportIdentity: (path: string, passphrase: string) =>
    call<string>("export_identity", { path, passphrase }),
  importIdentity: (path: string, passphrase: string) =>
    call<Identity>("import_identity", { path, passphrase }),
  members: () => call<Member[]>("members"),
  remotes: () => call<Remote[]>("remotes"),
  addRemote: (name: string, folder: string, token: string | null) =>
    call<Remote>("add_remote", { name, folder, token }),
  removeRemote: (name: string) => call<Undoable>("remove_remote", { name }),
  /** Put back the setting removed as `id` (the last removal only). */
  undoRemoval: (id: number) => call<void>("undo_removal", { id }),
  /** The removal `id` is no longer offered to undo. */
  forgetRemoval: (id: number) => call<void>("forget_removal", { id }),
  testRemote: (name: string) => call<number>("test_remote", { name }),
  connectors: () => call<ConnectorView[]>("connectors"),
  addConnector: (input: ConnectorInput, token: string) =>
    call<ConnectorView>("add_connector", { input, token }),
  removeConnector: (name: string) => call<Undoable>("remove_connector", { name }),
  mapConnector: (name: string, pairs: string[]) =>
    call<ConnectorView>("map_connector", { name, pairs }),
  testConnector: (name: string) => call<ProbeView>("test_connector", { name }),
  syncConnectors: (name: string | null = null) =>
    call<ConnectorSync[]>("sync_connectors", { name }),
  outbox: () => call<OutboxRow[]>("outbox"),
  digestPreview: (query: DigestQuery) => call<DigestPreview>("digest_preview", { query }),
  writeDigest: (query: DigestQuery, path: string) =>
    call<DigestWritten>("write_digest", { query, path }),
  webhooks: () => call<WebhookView[]>("webhooks"),
  addWebhook: (name: string, kind: string, url: string) =>
    call<WebhookView>("add_webhook", { name, kind, url }),
  removeWebhook: (name: string) => call<Undoable>("remove_webhook", { name }),
  sendDigest: (name: string, query: DigestQuery) =>
    call<WebhookSent>("send_digest", { name, query }),
  feeds: () => call<FeedView[]>("feeds"),
  addFeed: (name: string, path: string, scope: string[]) =>
    call<FeedRefresh>("add_feed", { name, path, scope }),
  removeFeed: (name: string) => call<Undoable>("remove_feed", { name }),
  refreshFeeds: () => call<FeedRefresh[]>("refresh_feeds"),
  draftNotes: (release: string, lang: string) => call<NotesDraft>("draft_notes", { release, lang }),
  savedNotes: (release: string) => call<SavedNotes | null>("saved_notes", { release }),
  saveNotes: (release: string, lang: string, markdown: string) =>
    call<SavedNotes>("save_notes", { release, lang, markdown }),
  notesPreview: (markdown: string) => invoke<string>("notes_preview", { markdown }),
  writeNotes: (release: string, path: string, paper: string, lang: string, saved: boolean) =>
    call<NotesWritten>("write_notes", { release, path, paper, lang, saved }),
  publishNotes: (release: string, connector: string | null = null) =>
    call<NotesPublished>("publish_notes", { release, connector }),
  retryOutbox: (id: string) => call<ConnectorSync[]>("retry_outbox", { id }),
  syncNow: (name: string | null = null) => call<SyncOutcome[]>("sync_now", { name }),
  purgeWaiting: () => call<number>("purge_waiting"),
  syncStatus: () => call<SyncStatus>("sync_status"),
  workspaceSettings: () => call<WorkspaceSettings>("workspace_settings"),
  configureWorkspace: (maxClockOffsetMinutes: number) =>
    call<WorkspaceSettings>("configure_workspace", { maxClockOffsetMinutes }),
  rotateMember: (member: string, key: string) => call<Member>("rotate_member", { member, key }),
  setPreferences: (preferences: Preferences) => call<void>("set_preferences", { preferences }),
  // Verdicts come worded in the UI's language.
  check: (req: Omit<CheckRequest, "lang" | "zone">) =>
    call<Verdict>("check", { req: { ...req, lang: i18n.locale, zone: viewerZone() } }),
  decide: (release: string, environment: string, decision: Decision, comment: string | null) =>
    call<Verdict>("decide", {
      release,
      environment,
      decision,
      comment,
      lang: i18n.locale,
      zone: viewerZone(),
    }),
  pendingDecisions: () =>
    call<PendingDecision[]>("pending_decisions", { lang: i18n.locale, zone: viewerZone() }),
  policyHistory: () => call<PolicySummary[]>("policy_history"),
  policy: (version: number | null = null) => call<PolicyVersion>("policy", { version }),
  calendarListing: (from: string, to: string, tz: string | null) =>
    call<Listing>("calendar_listing", { from, to, tz }),
  /** The releases of the days from `from` to `to`, counted per day; with `perDay`, only the
   * first that many of each day. */
  calendarReleases: (from: string, to: string, tz: string | null, perDay: number | null) =>
    call<CalendarReleases>("calendar_releases", { from, to, tz, perDay }),
  /** The first `limit` conflicts (all when 0), of `release` only when given, with counts. */
  calendarConflicts: (limit: number, release: string | null) =>
    call<ConflictSummary>("calendar_conflicts", { limit, release }),
  calendarEntry: (id: string) => call<CalendarRow>("calendar_entry", { id }),
  addCalendarEntry: (input: CalendarInput) => call<CalendarRow>("add_calendar_entry", { input }),
  updateCalendarEntry: (id: string, input: CalendarInput) =>
    call<CalendarRow>("update_calendar_entry", { id, input }),
  removeCalendarEntry: (id: string) => call<CalendarRow>("remove_calendar_entry", { id }),
  importCalendar: (path: string, request: ImportRequest) =>
    call<ImportOutcome>("import_calendar", { path, request }),
  exportCalendar: (path: string) => call<number>("export_calendar", { path }),
  previewReschedule: (request: Omit<RescheduleRequest, "lang">) =>
    call<ReschedulePreview>("preview_reschedule", {
      request: { ...request, lang: i18n.locale },
    }),
  rescheduleRelease: (request: Omit<RescheduleRequest, "lang">, baseDigest: string) =>
    call<Release>("reschedule_release", {
      request: { ...request, lang: i18n.locale },
      baseDigest,
    }),
  recordDeployment: (input: DeploymentInput) => call<Recorded>("record_deployment", { input }),
  deployments: (query: DeploymentQuery) => call<DeploymentView[]>("deployments", { query }),
  review: (release: string) => call<ReviewView>("review", { release }),
  draftReview: (release: string) => call<ReviewView>("draft_review", { release }),
  updateReview: (release: string, input: ReviewInput) =>
    call<ReviewView>("update_review", { release, input }),
  signReview: (release: string) => call<ReviewView>("sign_review", { release }),
  reviews: (query: ReviewQuery) => call<ReviewPage>("reviews", { query }),
  reviewCounts: () => call<ReviewCounts>("review_counts"),
  actions: (query: ActionQuery) => call<ActionView[]>("actions", { query }),
  addAction: (release: string, title: string, owner: string, due: string) =>
    call<ActionView>("add_action", { release, title, owner, due }),
  actionDone: (id: string) => call<ActionView>("action_done", { id }),
  metrics: (from: string, to: string, service: string | null, environment: string | null) =>
    call<Metrics>("metrics", { from, to, service, environment }),
  rollback: (release: string) => call<RollbackView>("rollback", { release }),
  attachSbom: (release: string, component: string, path: string) =>
    call<SbomAttached>("attach_sbom", { release, component, path }),
  sbomContents: (release: string) => call<SbomContents>("sbom_contents", { release }),
  sbomDiff: (release: string) => call<SbomDiffView>("sbom_diff", { release }),
  sbomWhere: (name: string, version: string | null) =>
    call<Shipping[]>("sbom_where", { name, version }),
  planRollback: (release: string, input: PlanInput) =>
    call<RollbackView>("plan_rollback", { release, input }),
  rehearseRollback: (
    release: string,
    environment: string,
    result: string,
    evidence: string | null,
    note: string | null,
  ) => call<RollbackView>("rehearse_rollback", { release, environment, result, evidence, note }),
  recordRollback: (
    release: string,
    environment: string,
    toVersion: string,
    reason: string,
    deployment: string | null,
  ) =>
    call<RollbackView>("record_rollback", { release, environment, toVersion, reason, deployment }),
  recordRehearsal: (release: string, note: string, link: string | null) =>
    call<void>("record_rehearsal", { release, note, link }),
  justifyFreeze: (release: string, entry: string, reason: string) =>
    call<void>("justify_freeze", { release, entry, reason }),
  declareEmergency: (release: string, reason: string, incident: string, approver: string) =>
    call<void>("declare_emergency", { release, reason, incident, approver }),
  addMember: (key: string, name: string | null, email: string | null, roles: string[]) =>
    call<Member>("add_member", { key, name, email, roles }),
  setMemberRoles: (member: string, roles: string[]) =>
    call<Member>("set_member_roles", { member, roles }),
  setMemberTeam: (member: string, team: string) =>
    call<Member>("set_member_team", { member, team }),
  removeMember: (member: string) => call<Member>("remove_member", { member }),
  policyEnvironments: () => call<string[]>("policy_environments"),
  policyDraftDiff: (source: string) => call<string>("policy_draft_diff", { source }),
  applyPolicy: (source: string, note: string) =>
    call<PolicySummary>("apply_policy", { source, note }),
  simulatePolicy: (source: string) =>
    call<Simulation>("simulate_policy", { source, lang: i18n.locale, zone: viewerZone() }),
  risks: (query: RiskQuery) => call<RiskView[]>("risks", { query }),
  riskDetail: (id: string) => call<RiskDetail>("risk_detail", { id }),
  addRisk: (input: RiskInput) => call<RiskView>("add_risk", { input }),
  updateRisk: (id: string, input: RiskInput) => call<RiskView>("update_risk", { id, input }),
  mitigateRisk: (id: string, input: MitigationInput) =>
    call<RiskView>("mitigate_risk", { id, input }),
  mitigationDone: (id: string, number: number) => call<RiskView>("mitigation_done", { id, number }),
  acceptRisk: (id: string, reason: string, until: string) =>
    call<RiskView>("accept_risk", { id, reason, until }),
  closeRisk: (id: string, reason: string) => call<RiskView>("close_risk", { id, reason }),
  releaseRisk: (release: string) => call<ReleaseRisk>("release_risk", { release }),
  answerRisk: (release: string, answers: [string, string][]) =>
    call<ReleaseRisk>("answer_risk", { release, answers }),
  riskHeatmap: (query: RiskQuery) => call<RiskHeatmap>("risk_heatmap", { query }),
  importRisksCsv: (path: string, skipInvalid: boolean) =>
    call<CsvImport>("import_risks_csv", { path, skipInvalid }),
  exportRisksCsv: (path: string, delimiter: string) =>
    call<number>("export_risks_csv", { path, delimiter }),
  reportRelease: (release: string, path: string, paper: string, lang: string, zone: string) =>
    call<Written>("report_release", { release, path, paper, lang, zone }),
  packRelease: (release: string, path: string, paper: string, lang: string, zone: string) =>
    call<PackWritten>("pack_release", { release, path, paper, lang, zone }),
  reportPeriod: (period: PeriodExport) => call<Written>("report_period", { export: period }),
  packPeriod: (period: PeriodExport) => call<PackWritten>("pack_period", { export: period }),
  verifyPack: (path: string) => call<PackVerdict>("verify_pack", { path }),
  packFile: (pack: string, name: string) => call<PackText>("pack_file", { pack, name }),
  openPackReport: (pack: string) => call<string>("open_pack_report", { pack }),
  openWritten: (path: string) => call<void>("open_written", { path }),
  setReleaseRisk: (release: string, level: string, reason: string) =>
    call<ReleaseRisk>("set_release_risk", { release, level, reason }),
};

/** Backend notifications: a change made elsewhere, a menu item, a background sync. */
export function onChanged(f: () => void): Promise<UnlistenFn> {
  return listen("relm://changed", () => f());
}

export function onMenu(f: (id: string) => void): Promise<UnlistenFn> {
  return listen<string>("relm://menu", (e) => f(e.payload));
}

/** The background sync of connections to deployment platforms. */
export function onConnectorsSynced(f: (reports: ConnectorSync[]) => void): Promise<UnlistenFn> {
  return listen<ConnectorSync[]>("relm://connectors-synced", (e) => f(shown(e.payload)));
}

export function onConnectorProgress(f: (p: SyncProgress) => void): Promise<UnlistenFn> {
  return listen<SyncProgress>("relm://connector-progress", (e) => f(shown(e.payload)));
}

export function onSynced(f: (outcomes: SyncOutcome[]) => void): Promise<UnlistenFn> {
  return listen<SyncOutcome[]>("relm://synced", (e) => f(shown(e.payload)));
}
