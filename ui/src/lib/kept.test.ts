import { describe, expect, it, vi } from "vitest";

// The backend is Tauri's IPC; here it counts the calls and answers from a table.
let asked = 0;
let failing = false;
vi.mock("@tauri-apps/api/core", () => ({
  invoke: () => {
    asked++;
    return failing ? Promise.reject({ code: "io", message: "no" }) : Promise.resolve(asked);
  },
}));

const { session } = await import("./session.svelte");
const { backend, calls } = await import("./backend");
const { perVersion, perVersionByKey } = await import("./kept");

describe("an answer kept for the store's version", () => {
  it("is asked once while the store stays the same, and shared by callers at once", async () => {
    const members = perVersion(backend.members);
    const before = asked;
    const [a, b] = await Promise.all([members(), members()]);
    expect(a).toBe(b);
    expect(await members()).toBe(a);
    expect(asked - before).toBe(1);
  });

  it("is asked afresh after a change of the store", async () => {
    const members = perVersion(backend.members);
    const first = await members();
    session.version += 1;
    const second = await members();
    expect(second).not.toBe(first);
    expect(await members()).toBe(second);
  });

  it("counts a kept answer among those a page waits on, unless asked ahead", async () => {
    const members = perVersion(backend.members);
    await members();
    const started = calls.started;
    await members();
    expect(calls.started).toBe(started + 1);
    await members(true);
    expect(calls.started).toBe(started + 1);
  });

  it("does not keep a failure: the next caller asks again", async () => {
    const members = perVersion(backend.members);
    failing = true;
    await expect(members()).rejects.toBeTruthy();
    failing = false;
    const before = asked;
    await members();
    expect(asked - before).toBe(1);
  });
});

describe("answers kept by question for the store's version", () => {
  it("asks each question once, keeps the last used, and drops them all after a change", async () => {
    const kept = perVersionByKey<unknown>(2);
    const ask = (key: string) => kept(key, () => backend.members());
    const before = asked;
    const a = await ask("a");
    const b = await ask("b");
    expect(b).not.toBe(a);
    expect(await ask("a")).toBe(a);
    expect(asked - before).toBe(2);
    // "a" was used last: a third question drops "b".
    await ask("c");
    expect(await ask("a")).toBe(a);
    expect(asked - before).toBe(3);
    await ask("b");
    expect(asked - before).toBe(4);
    session.version += 1;
    expect(await ask("a")).not.toBe(a);
    expect(asked - before).toBe(5);
  });

  it("does not keep a failure: the next caller asks again", async () => {
    const kept = perVersionByKey<unknown>(2);
    failing = true;
    await expect(kept("a", () => backend.members())).rejects.toBeTruthy();
    failing = false;
    const before = asked;
    await kept("a", () => backend.members());
    expect(asked - before).toBe(1);
  });
});

describe("an answer kept, read at once", () => {
  it("is there once it has come, for the store's version it was asked at", async () => {
    const kept = perVersionByKey<unknown>(2);
    const asking = kept("a", () => backend.members());
    expect(kept.now("a")).toBeUndefined();
    const a = await asking;
    expect(kept.now("a")).toBe(a);
    expect(kept.now("b")).toBeUndefined();
    session.version += 1;
    expect(kept.now("a")).toBeUndefined();
  });

  it("is never a failure", async () => {
    const members = perVersion(backend.members);
    failing = true;
    await expect(members()).rejects.toBeTruthy();
    failing = false;
    expect(members.now()).toBeUndefined();
    const value = await members();
    expect(members.now()).toBe(value);
  });
});
