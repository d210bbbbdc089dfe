// A hash router: `#/releases/ID` survives reloads and needs no server.

export type Page =
  "dashboard" | "releases" | "calendar" | "risks" | "reviews" | "reports" | "audit" | "settings";

export const PAGES: Page[] = [
  "dashboard",
  "releases",
  "calendar",
  "risks",
  "reviews",
  "reports",
  "audit",
  "settings",
];

export interface Route {
  page: Page;
  /** Release id for `#/releases/ID` and `#/releases/ID/edit`; "new" for the create form. */
  id: string | null;
  edit: boolean;
}

export function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const page = (PAGES as string[]).includes(parts[0] ?? "") ? (parts[0] as Page) : "dashboard";
  return { page, id: parts[1] ?? null, edit: parts[2] === "edit" };
}

export const route = $state<Route>(parse(globalThis.location?.hash ?? ""));

globalThis.addEventListener?.("hashchange", () => {
  Object.assign(route, parse(location.hash));
});

export function go(path: string): void {
  location.hash = `#/${path}`;
}
