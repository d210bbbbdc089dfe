import { describe, expect, it, vi } from "vitest";

// The backend is Tauri's IPC; in unit tests it answers from a table.
const answers: Record<string, unknown> = {};
const calls: { cmd: string; args: unknown }[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (cmd: string, args: unknown) => {
    calls.push({ cmd, args });
    return cmd in answers
      ? Promise.resolve(answers[cmd])
      : Promise.reject({ code: "not_found", message: `no ${cmd}` });
  },
}));

const { session, loadSession, savePreferences, toast } = await import("./session.svelte");
const i18nModule = await import("./i18n.svelte");
const { i18n } = i18nModule;
const { theme } = await import("./theme.svelte");
const backend_ = await import("./backend");
const { backend, BackendError } = backend_;

describe("session", () => {
  it("takes language and theme from the saved preferences", async () => {
    answers.app_info = {
      version: "0.1.0",
      data_dir: "/d",
      log_dir: null,
      has_workspace: false,
      preferences: { locale: "fr", theme: "dark" },
    };
    await loadSession();
    expect(i18n.locale).toBe("fr");
    expect(theme.choice).toBe("dark");
    expect(document.documentElement.getAttribute("data-theme")).toBe("dark");
    expect(document.documentElement.lang).toBe("fr");
  });

  it("saves the current choices with the backend", async () => {
    answers.set_preferences = null;
    await savePreferences();
    expect(calls.at(-1)).toEqual({
      cmd: "set_preferences",
      args: { preferences: { locale: "fr", theme: "dark" } },
    });
  });

  it("shows a toast and clears it later", () => {
    vi.useFakeTimers();
    toast("saved");
    expect(session.toast?.text()).toBe("saved");
    expect(session.toast?.tone).toBe("ok");
    vi.advanceTimersByTime(6000);
    expect(session.toast).toBeNull();
    vi.useRealTimers();
  });

  it("rewords a toast shown when the reader switches language", () => {
    const { setLocale, t } = i18nModule;
    setLocale("en");
    toast(() => t("sync.nothing"));
    expect(session.toast?.text()).toBe("Up to date: nothing new");
    setLocale("fr");
    expect(session.toast?.text()).toBe("À jour\u00a0: rien de nouveau");
    setLocale("en");
  });

  it("turns backend refusals into typed errors with the field at fault", async () => {
    answers.create_release = undefined;
    delete answers.create_release;
    await expect(backend.createRelease({ clear_window: false })).rejects.toBeInstanceOf(
      BackendError,
    );
    const e: unknown = await backend
      .createRelease({ clear_window: false })
      .catch((x: unknown) => x);
    expect(e instanceof BackendError && e.code).toBe("not_found");
  });
});

describe("backend calls", () => {
  it("are counted while in flight and timed when answered or refused", async () => {
    const counted = backend_.calls;
    expect((globalThis as { __relmCalls?: unknown }).__relmCalls).toBe(counted);
    const before = counted.started;
    answers.summary = { name: "x" };
    const answered = backend.summary();
    const refused = backend.members().catch(() => null);
    expect(counted.inflight).toBe(2);
    await answered;
    await refused;
    expect(counted.inflight).toBe(0);
    expect(counted.started).toBe(before + 2);
    expect(counted.recent.slice(-2).map(([cmd]) => cmd)).toEqual(["summary", "members"]);
  });
});
