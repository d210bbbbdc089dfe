// The list pages when their question fails: the error says why, and no "nothing here yet"
// says there is nothing. (The end-to-end tests show the release list so on a damaged store.)
// And the Audit page's events a sync held back, in the reader's words.

import { flushSync, mount, unmount, type Component } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

type Hand = { resolve: (v: unknown) => void; reject: (e: unknown) => void };
/** Each backend call a page made, by the backend's method, with the hands that answer it. */
const asked: Record<string, Hand[]> = {};

vi.mock("../lib/backend", async (real) => {
  const actual = await real<typeof import("../lib/backend")>();
  // Every method of the backend: a call that waits for the test's answer.
  const backend = new Proxy(
    {},
    {
      get: (_, name: string) => () =>
        new Promise((resolve, reject) => (asked[name] ??= []).push({ resolve, reject })),
    },
  );
  // The backend's events (`onSynced`...): none comes.
  const events = Object.fromEntries(
    Object.keys(actual)
      .filter((k) => /^on[A-Z]/.test(k))
      .map((k) => [k, () => Promise.resolve(() => {})]),
  );
  return { ...actual, ...events, backend };
});

const { BackendError } = await import("../lib/backend");
const { setLocale } = await import("../lib/i18n.svelte");
const { session } = await import("../lib/session.svelte");

const DAMAGED = new BackendError({
  code: "internal",
  message: "the store is damaged (release environments: invalid type: map)",
  problems: [],
  reason: {
    code: "store_damaged",
    params: { detail: "release environments: invalid type: map" },
    message: "the store is damaged (release environments: invalid type: map)",
  },
});

const settled = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
  }
};

let root: HTMLElement | undefined;
let page: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (page) unmount(page);
  root?.remove();
  for (const k of Object.keys(asked)) delete asked[k];
});

/** Mount the page `load` gives, and let it ask what it asks. */
async function mounted(load: () => Promise<{ default: Component }>): Promise<HTMLElement> {
  const Page = (await load()).default;
  root = document.createElement("div");
  document.body.append(root);
  page = mount(Page, { target: root });
  await settled();
  return root;
}

async function failed(load: () => Promise<{ default: Component }>, ...methods: string[]) {
  setLocale("en");
  const root = await mounted(load);
  for (const method of methods) {
    expect(asked[method]?.length, `${method} asked`).toBeGreaterThan(0);
    for (const hand of asked[method] ?? []) hand.reject(DAMAGED);
  }
  await settled();
  return root.textContent!.replace(/\s+/g, " ");
}

describe("a list page whose question failed", () => {
  it("releases: says why, not that there are no releases", async () => {
    const text = await failed(() => import("./Releases.svelte"), "listReleases");
    expect(text).toMatch(/copy of the workspace is damaged/);
    expect(text).not.toMatch(/No releases yet/);
    expect(root!.querySelector("[data-testid=release-table]")).toBeNull();
  });

  it("audit: says why, not that the ledger is empty", async () => {
    const text = await failed(() => import("./Audit.svelte"), "audit");
    expect(text).toMatch(/copy of the workspace is damaged/);
    expect(text).not.toMatch(/The ledger is empty/);
  });

  it("connections: says why, not that there are none", async () => {
    const text = await failed(() => import("./Connections.svelte"), "connectors");
    expect(text).toMatch(/copy of the workspace is damaged/);
    expect(text).not.toMatch(/No connections yet/);
  });

  it("connections: with a connection, says why the outbox is unknown, not that it is empty", async () => {
    setLocale("en");
    const root = await mounted(() => import("./Connections.svelte"));
    for (const hand of asked.connectors ?? [])
      hand.resolve([
        {
          name: "gh",
          platform: "github",
          api_url: "https://api.github.com",
          target: "acme/shop",
          project: "",
          service: "shop",
          env_map: {},
          added_at: "2027-03-01T09:00:00Z",
          last_sync_at: null,
          last_ok_at: null,
          last_pulled: 0,
          last_pushed: 0,
          last_errors: [],
          last_failures: [],
          has_token: true,
          waiting: 0,
          seen: {
            environments: [],
            releases: [],
            freezes: [],
            status: null,
            unread: [],
            unread_parts: [],
          },
        },
      ]);
    for (const hand of asked.outbox ?? []) hand.reject(DAMAGED);
    await settled();
    const text = root.textContent!.replace(/\s+/g, " ");
    expect(root.querySelector("[data-testid=outbox]")).not.toBeNull();
    expect(text).toMatch(/copy of the workspace is damaged/);
    expect(text).not.toMatch(/Nothing to send/);
  });

  it("settings: says why beside the members and the remotes, not that there are no remotes", async () => {
    await failed(() => import("./Settings.svelte"), "members", "remotes");
    const section = (id: string) => root!.querySelector(`[data-testid=${id}]`)!.textContent!;
    expect(section("members")).toMatch(/copy of the workspace is damaged/);
    const text = root!.textContent!;
    expect(text.match(/copy of the workspace is damaged/g)).toHaveLength(2);
    expect(text).not.toMatch(/No remote yet/);
  });
});

describe("the Audit page's events a sync held back", () => {
  it("words each in the reader's language, the backend's English as detail", async () => {
    setLocale("fr");
    const held = (code: string, reason: string) => ({
      seen_at: "2027-03-01T09:00:00Z",
      event: "0192ab",
      author: "ed25519:ab",
      seq: 4,
      code,
      reason,
      source: "usb",
    });
    session.sync = {
      quarantined: [held("bad_signature", "the signature does not match")],
      pending: [held("missing_dep", "made after event 3 of author ab")],
      forks: [],
      forked: [],
      lying: [{ file: "usb:seg-1.ndjson", reason: "security finding: the header claims 4" }],
      not_applied: [
        {
          event: "0193cd",
          entity: "rel-1",
          kind: "release.updated",
          author: "ed25519:ab",
          at: "2027-03-01T09:00:00Z",
          code: "not_editable",
          reason: "the release was `cancelled` by this point of the ledger",
        },
      ],
    } as unknown as NonNullable<typeof session.sync>;
    const root = await mounted(() => import("./Audit.svelte"));
    const text = root.querySelector("[data-testid=held-events]")!.textContent!.replace(/\s+/g, " ");
    // (Spaces, no-break ones included, are made plain above.)
    for (const [french, english] of [
      ["Mise en production modifiée", "the release was `cancelled`"],
      ["elle ne pouvait plus être modifiée", "the release was `cancelled`"],
      ["son en-tête ne l’est pas", "security finding: the header claims 4"],
      ["sa signature ne correspond pas", "the signature does not match"],
      ["il suit un événement que cette copie ne détient pas", "made after event 3"],
    ]) {
      expect(text).toContain(french);
      expect(text).toContain(`Détail technique : ${english}`);
    }
    session.sync = null;
    setLocale("en");
  });
});

describe("the Audit page's fork finding", () => {
  const fork = {
    author: "ed25519:bob",
    fingerprint: "ab12:cd34",
    seq: 7,
    hashes: ["h1", "h2"],
    resolved: false,
  };
  async function shown(roles: string[]) {
    setLocale("en");
    session.identity = { active: true, roles } as unknown as NonNullable<typeof session.identity>;
    session.sync = {
      quarantined: [],
      pending: [],
      forks: [],
      forked: [fork],
      lying: [],
      not_applied: [],
    } as unknown as NonNullable<typeof session.sync>;
    const root = await mounted(() => import("./Audit.svelte"));
    return root.querySelector("[data-testid=forked]")!;
  }
  afterEach(() => {
    session.sync = null;
    session.identity = null;
  });

  it("gives an admin the form that gives the member a new key, and names no command", async () => {
    const finding = await shown(["admin", "release_manager"]);
    expect(finding.textContent).toContain("until an admin gives the member a new key");
    expect(finding.textContent).not.toContain("relm member");
    expect(finding.querySelector("[data-testid=rotate] input[name=new-key]")).not.toBeNull();
    expect(finding.querySelector("[data-testid=ask-admin]")).toBeNull();
  });

  it("tells anyone else to ask an admin, with no form that would be refused", async () => {
    const finding = await shown(["release_manager"]);
    expect(finding.querySelector("[data-testid=rotate]")).toBeNull();
    expect(finding.querySelector("[data-testid=ask-admin]")!.textContent).toContain(
      "Only an admin can give the member a new key",
    );
  });
});
