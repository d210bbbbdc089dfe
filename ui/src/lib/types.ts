// Shapes of the data the backend sends (see docs/cli-json.md: the CLI's JSON is the same).

export type ErrorCode =
  | "validation"
  | "not_found"
  | "conflict"
  | "unauthorized"
  | "no_workspace"
  | "data_dir"
  | "keyring"
  | "offline"
  | "remote"
  | "internal";

export interface ApiError {
  code: ErrorCode;
  message: string;
  field?: string;
}

export interface AppInfo {
  version: string;
  data_dir: string;
  log_dir: string | null;
  has_workspace: boolean;
  preferences: Preferences;
}

export interface Preferences {
  locale: string;
  theme: string;
}

export interface Summary {
  workspace_id: string;
  name: string;
  members: number;
  releases: number;
  releases_by_status: Record<string, number>;
  events: number;
  data_dir: string;
}

export interface PlannedWindow {
  start: string;
  end: string;
  tz: string;
}

export interface Component {
  name: string;
  version: string;
  digest?: string | null;
}

export interface ChangeRef {
  id: string;
  title: string;
  link?: string | null;
}

export interface EvidenceLink {
  name: string;
  link?: string | null;
  digest?: string | null;
}

export type ReleaseStatus =
  | "draft"
  | "planned"
  | "approved"
  | "deploying"
  | "deployed"
  | "reviewed"
  | "cancelled"
  | "rolled_back"
  | "failed";

export type ChangeType = "standard" | "normal" | "emergency";

export interface Release {
  id: string;
  service: string;
  version: string;
  title: string;
  description: string;
  change_type: ChangeType;
  environments: string[];
  window: PlannedWindow | null;
  owner: string;
  components: Component[];
  changes: ChangeRef[];
  rollback_plan: string;
  evidence: EvidenceLink[];
  status: ReleaseStatus;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
  revision: number;
}

export interface ReleasePage {
  releases: Release[];
  next_cursor: string | null;
}

export interface StatusChange {
  event_id: string;
  from: string | null;
  to: string;
  note: string | null;
  at: string;
  by: string;
}

export interface LogEntry {
  id: string;
  hash: string;
  at: string;
  hlc: string;
  author: string;
  author_name: string | null;
  seq: number;
  kind: string;
  entity: string | null;
  payload: unknown;
}

export interface ReleaseDetail extends Release {
  status_history: StatusChange[];
  allowed_next: ReleaseStatus[];
  events: LogEntry[];
}

/** What a form sends to create or edit a release; absent fields are left as they are. */
export interface ReleaseInput {
  service?: string;
  version?: string;
  title?: string;
  description?: string;
  change_type?: string;
  environments?: string[];
  window?: [string, string, string] | null;
  clear_window?: boolean;
  rollback_plan?: string;
}

export interface ReleaseQuery {
  service?: string;
  status?: string;
  environment?: string;
  change_type?: string;
  limit?: number;
  cursor?: string | null;
}

export interface Problem {
  event: string;
  author: string | null;
  seq: number | null;
  code: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  authors: number;
  head: string | null;
  not_applied: number;
  problem: Problem | null;
}

export interface Member {
  key_id: string;
  fingerprint: string;
  public_key: string;
  name: string;
  email: string;
  roles: string[];
  active: boolean;
}

export interface Identity extends Member {
  keyring: string;
  keyring_persistent: boolean;
  private_key_present: boolean;
}

export interface Remote {
  name: string;
  kind: string;
  location: string;
  added_at: string;
  last_sync_at: string | null;
  last_result: string | null;
  last_message: string | null;
  last_ok_at: string | null;
  pending_push: number;
}

export interface Held {
  event: string | null;
  author: string | null;
  seq: number | null;
  code: string;
  reason: string;
  source: string;
  seen_at: string;
}

export interface SyncStatus {
  replica_id: string;
  member: boolean;
  remotes: Remote[];
  quarantined: Held[];
  forks: Held[];
  pending: Held[];
  not_applied: { event: string; kind: string; at: string; code: string; reason: string }[];
  members: { key_id: string; fingerprint: string; name: string | null; last_seq: number }[];
  join_requests: {
    key_id: string;
    fingerprint: string;
    public_key: string;
    name: string;
    email: string;
  }[];
}

export interface SyncReport {
  remote: string;
  pulled: {
    added: number;
    not_applied: number;
    pending: number;
    quarantined: Held[];
    kinds: [string, number][];
  };
  pushed: number;
  incomplete: string[];
}

export interface SyncOutcome {
  remote: string;
  ok: boolean;
  result: "ok" | "offline" | "error";
  error: ApiError | null;
  report: SyncReport | null;
}

export interface InitOutcome {
  workspace_id: string;
  workspace_name: string;
  fingerprint: string;
  public_key: string;
  keyring: string;
  keyring_persistent: boolean;
}
