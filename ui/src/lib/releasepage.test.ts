import { afterEach, describe, expect, it, vi } from "vitest";

// The backend is Tauri's IPC; here it records each command and answers from a table.
let asked: string[] = [];
let environments = ["staging", "production"];
let failing: string | null = null;
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (cmd: string, args?: Record<string, unknown>) => {
    asked.push(cmd);
    if (cmd === failing) return Promise.reject({ code: "io", message: `${cmd} failed` });
    if (cmd === "release_detail") return Promise.resolve({ id: args?.id, environments });
    if (cmd === "check") {
      const req = args?.req as { release: string; environment: string };
      return Promise.resolve({
        release: req.release,
        environment: req.environment,
        n: asked.length,
      });
    }
    return Promise.resolve({ cmd, n: asked.length });
  },
}));

const { firstEnvironment, ReleaseOpening } = await import("./releasepage");

// Let every answer asked so far come, and what follows from them be asked.
const settled = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  asked = [];
  environments = ["staging", "production"];
  failing = null;
});

describe("a release's page", () => {
  it("asks every panel's question when it opens, and the verdict once the release is known", async () => {
    const opening = new ReleaseOpening("r1");
    expect(asked.sort()).toEqual(
      [
        "connectors",
        "deployments",
        "outbox",
        "release_detail",
        "release_risk",
        "rollback",
        "saved_notes",
        "sbom_contents",
        "sbom_diff",
      ].sort(),
    );
    await settled();
    expect(asked).toContain("check");
    expect(asked.length).toBe(10);
    // The panels take the answers asked: nothing more crosses to the backend.
    const risk = await opening.take("risk");
    const verdict = await opening.check("production");
    expect(risk).toMatchObject({ cmd: "release_risk" });
    expect(verdict).toMatchObject({ environment: "production" });
    expect(asked.length).toBe(10);
  });

  it("asks afresh for an answer already taken (a panel asking again)", async () => {
    const opening = new ReleaseOpening("r1");
    const first = await opening.take("deployments");
    const again = await opening.take("deployments");
    expect(again).not.toEqual(first);
    expect(asked.filter((c) => c === "deployments").length).toBe(2);
  });

  it("lets the page see an answer without taking it from the panel that shows it", async () => {
    const opening = new ReleaseOpening("r1");
    const seen = await opening.peek("risk");
    expect(seen).toMatchObject({ cmd: "release_risk" });
    // The panel still takes the same answer, and asks nothing more.
    expect(await opening.take("risk")).toBe(seen);
    expect(asked.filter((c) => c === "release_risk").length).toBe(1);
    // Once taken, there is nothing to see: the page keeps what the panel reports.
    expect(opening.peek("risk")).toBeUndefined();
    expect(new ReleaseOpening("r2", false).peek("risk")).toBeUndefined();
  });

  it("outside a page, asks each question when it is taken, and only that one", async () => {
    const opening = new ReleaseOpening("r1", false);
    expect(asked).toEqual([]);
    await opening.take("rollback");
    await opening.check("production");
    expect(asked).toEqual(["rollback", "check"]);
  });

  it("asks the verdict afresh for another environment than the first one's", async () => {
    const opening = new ReleaseOpening("r1");
    const staging = await opening.check("staging");
    expect(staging).toMatchObject({ environment: "staging" });
    expect(asked.filter((c) => c === "check").length).toBe(2);
  });

  it("asks no verdict ahead for a release without environments", async () => {
    environments = [];
    new ReleaseOpening("r1");
    await settled();
    expect(asked).not.toContain("check");
    expect(firstEnvironment([])).toBe("");
    expect(firstEnvironment(["test", "prod"])).toBe("prod");
  });

  it("gives a failed answer to the part that takes it, once; the next asks again", async () => {
    failing = "sbom_diff";
    const opening = new ReleaseOpening("r1");
    await expect(opening.take("sbomDiff")).rejects.toMatchObject({
      message: "sbom_diff failed",
    });
    failing = null;
    await expect(opening.take("sbomDiff")).resolves.toMatchObject({ cmd: "sbom_diff" });
  });

  it("asks the verdict again when the early one failed", async () => {
    failing = "check";
    const opening = new ReleaseOpening("r1");
    await settled();
    failing = null;
    await expect(opening.check("production")).resolves.toMatchObject({
      environment: "production",
    });
    expect(asked.filter((c) => c === "check").length).toBe(2);
  });
});
