// The dashboard's cards, mounted with the backend's answers in hand: what each card says
// before its answer, after a failure, and as the minutes pass. (The end-to-end tests drive the
// same page in the real app on real data.)

import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

type Hand = { args: unknown[]; resolve: (v: unknown) => void; reject: (e: unknown) => void };
/** Each backend call the page made, by command, with the hands that answer it. */
const asked: Record<string, Hand[]> = {};
function call(cmd: string) {
  return (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      (asked[cmd] ??= []).push({ args, resolve, reject });
    });
}

/** The `i`th call to `cmd` the page made. */
function hand(cmd: string, i: number): Hand {
  const h = asked[cmd]?.[i];
  if (!h) throw new Error(`no call ${i} to ${cmd}: ${asked[cmd]?.length ?? 0} made`);
  return h;
}

vi.mock("../lib/backend", async (real) => {
  const actual = await real<typeof import("../lib/backend")>();
  return {
    ...actual,
    backend: {
      pendingDecisions: call("pending_decisions"),
      reviewCounts: call("review_counts"),
      actions: call("actions"),
      calendarListing: call("calendar_listing"),
      upcomingReleases: call("upcoming_releases"),
    },
  };
});

const { BackendError } = await import("../lib/backend");
const { session } = await import("../lib/session.svelte");
const Dashboard = (await import("./Dashboard.svelte")).default;

const settled = async () => {
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
};
const card = (root: HTMLElement, id: string) =>
  root.querySelector<HTMLElement>(`[data-testid=${id}]`)!.textContent!.replace(/\s+/g, " ");

const WAITING = {
  release_id: "01JREL",
  service: "ledger-api",
  version: "5.0.0",
  title: "Ledger 5.0.0",
  environment: "prod",
  window_start: null,
  reason: "needs 1 more approval from release-managers",
};

describe("the dashboard's cards", () => {
  let root: HTMLElement;
  let page: ReturnType<typeof mount>;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    vi.setSystemTime(new Date("2027-03-01T09:00:30Z"));
    for (const k of Object.keys(asked)) delete asked[k];
    session.summary = {
      releases: 1,
      members: 2,
      events: 10,
      releases_by_status: { planned: 1 },
      risks: { active_high: 0, expiring_soon: 0, overdue_reviews: 0 },
    } as unknown as typeof session.summary;
    root = document.createElement("div");
    document.body.append(root);
    page = mount(Dashboard, { target: root });
    flushSync();
  });
  afterEach(() => {
    unmount(page);
    root.remove();
    vi.useRealTimers();
  });

  it("say nothing before their answer, rather than that nothing waits", async () => {
    expect(asked.pending_decisions).toHaveLength(1);
    expect(card(root, "pending")).not.toMatch(/Nothing waits/);
    expect(card(root, "dashboard-reviews")).not.toMatch(/No review or action is late/);
    expect(card(root, "next-freezes")).not.toMatch(/No freeze/);
    hand("pending_decisions", 0).resolve([WAITING]);
    hand("review_counts", 0).resolve({ overdue: 0, due: 0 });
    hand("actions", 0).resolve([]);
    await settled();
    expect(card(root, "pending")).toMatch(/ledger-api 5\.0\.0/);
    expect(card(root, "dashboard-reviews")).toMatch(/No review or action is late/);
  });

  it("say why when their question failed, and recover at the next answer", async () => {
    hand("pending_decisions", 0).reject(
      new BackendError({
        code: "keyring",
        message: "the OS keyring is locked: unlock it, then open the page again",
        problems: [],
      }),
    );
    await settled();
    expect(card(root, "pending")).toMatch(/the OS keyring is locked/);
    expect(card(root, "pending")).not.toMatch(/Nothing waits/);
    expect(root.querySelector("[data-testid=pending] [role=alert]")).not.toBeNull();
    // The store changed: the card asks again.
    session.version += 1;
    flushSync();
    hand("pending_decisions", 1).resolve([]);
    await settled();
    expect(card(root, "pending")).toMatch(/Nothing waits for your decision/);
    expect(root.querySelector("[data-testid=pending] [role=alert]")).toBeNull();
  });

  it("ask again every minute while open: what waits changes with the time", async () => {
    hand("pending_decisions", 0).resolve([WAITING]);
    await settled();
    expect(asked.calendar_listing).toHaveLength(1);
    vi.advanceTimersByTime(60_000);
    flushSync();
    expect(asked.pending_decisions).toHaveLength(2);
    expect(asked.review_counts).toHaveLength(2);
    expect(asked.upcoming_releases).toHaveLength(2);
    expect(asked.calendar_listing).toHaveLength(2);
    // The freezes are asked from the new minute on.
    expect(hand("calendar_listing", 0).args[0]).toBe("2027-03-01T09:00:30Z");
    expect(hand("calendar_listing", 1).args[0]).toBe("2027-03-01T09:01:30Z");
    // Meanwhile the last answer stays; the new one replaces it.
    expect(card(root, "pending")).toMatch(/ledger-api 5\.0\.0/);
    hand("pending_decisions", 1).resolve([]);
    await settled();
    expect(card(root, "pending")).toMatch(/Nothing waits for your decision/);
  });

  it("ask nothing while the window is hidden, and ask again once when it shows", async () => {
    let state: DocumentVisibilityState = "hidden";
    const visibility = vi.spyOn(document, "visibilityState", "get").mockImplementation(() => state);
    try {
      vi.advanceTimersByTime(3 * 60_000);
      flushSync();
      expect(asked.pending_decisions).toHaveLength(1);
      state = "visible";
      document.dispatchEvent(new Event("visibilitychange"));
      flushSync();
      expect(asked.pending_decisions).toHaveLength(2);
      // Shown again with no minute missed: nothing to ask.
      state = "hidden";
      document.dispatchEvent(new Event("visibilitychange"));
      state = "visible";
      document.dispatchEvent(new Event("visibilitychange"));
      flushSync();
      expect(asked.pending_decisions).toHaveLength(2);
      vi.advanceTimersByTime(60_000);
      flushSync();
      expect(asked.pending_decisions).toHaveLength(3);
    } finally {
      visibility.mockRestore();
    }
  });
});
