// A hash router: `#/releases/ID` survives reloads and needs no server.

export type Page =
  | "dashboard"
  | "releases"
  | "calendar"
  | "risks"
  | "reviews"
  | "metrics"
  | "reports"
  | "communication"
  | "connections"
  | "audit"
  | "settings";

/** Pages reached from other pages rather than from the sidebar. */
export type InnerPage = "policy" | "verify";
const INNER: InnerPage[] = ["policy", "verify"];

/** The sidebar's pages, in its order. */
export const PAGES: Page[] = [
  "dashboard",
  "releases",
  "calendar",
  "risks",
  "reviews",
  "metrics",
  "reports",
  "communication",
  "connections",
  "audit",
  "settings",
];

export interface Route {
  page: Page | InnerPage;
  /** Release id for `#/releases/ID` and `#/releases/ID/edit`; "new" for the create form (of a
   *  release, or of a calendar entry at `#/calendar/new`). */
  id: string | null;
  edit: boolean;
  /** `#/releases/ID/edit?focus=evidence`: the form field to start on. */
  focus: string | null;
  /** `#/calendar?date=2027-03-15`: the day the calendar opens on. */
  date: string | null;
  /** `#/audit?release=ID`: the release whose trail the audit page opens on. */
  release: string | null;
  /** `#/releases/ID?tab=review`: the release's delivery tab to open. */
  tab: string | null;
  /** `#/verify?pack=PATH`: the evidence pack to check. */
  pack: string | null;
}

export function parse(hash: string): Route {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  const known = [...PAGES, ...INNER] as string[];
  const page = known.includes(parts[0] ?? "") ? (parts[0] as Route["page"]) : "dashboard";
  const params = new URLSearchParams(query);
  const date = params.get("date");
  return {
    page,
    id: parts[1] ?? null,
    edit: parts[2] === "edit",
    focus: params.get("focus"),
    date: date && /^\d{4}-\d\d-\d\d$/.test(date) ? date : null,
    release: params.get("release"),
    tab: params.get("tab"),
    pack: params.get("pack"),
  };
}

export const route = $state<Route>(parse(globalThis.location?.hash ?? ""));

globalThis.addEventListener?.("hashchange", () => {
  Object.assign(route, parse(location.hash));
});

export function go(path: string): void {
  location.hash = `#/${path}`;
}
