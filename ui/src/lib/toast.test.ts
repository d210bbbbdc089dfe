import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ACTION_TOAST_MS,
  TOAST_MS,
  dismissToast,
  holdToast,
  runToastAction,
  session,
  toast,
} from "./session.svelte";

function action() {
  return { label: () => "Undo", run: vi.fn(), gone: vi.fn() };
}

describe("a toast with a button (an undo)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    dismissToast();
    vi.useRealTimers();
  });

  it("stays twice as long as a plain one, then its undo is let go", () => {
    toast("plain");
    vi.advanceTimersByTime(TOAST_MS);
    expect(session.toast).toBeNull();
    const a = action();
    toast("removed", "ok", a);
    vi.advanceTimersByTime(TOAST_MS);
    expect(session.toast?.text()).toBe("removed");
    vi.advanceTimersByTime(ACTION_TOAST_MS - TOAST_MS);
    expect(session.toast).toBeNull();
    expect(a.gone).toHaveBeenCalledTimes(1);
    expect(a.run).not.toHaveBeenCalled();
  });

  it("stays while held, and its time starts again when let go", () => {
    const a = action();
    toast("removed", "ok", a);
    holdToast(true);
    vi.advanceTimersByTime(ACTION_TOAST_MS * 3);
    expect(session.toast?.text()).toBe("removed");
    holdToast(false);
    vi.advanceTimersByTime(ACTION_TOAST_MS - 1);
    expect(session.toast).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(session.toast).toBeNull();
    expect(a.gone).toHaveBeenCalledTimes(1);
  });

  it("pressed, runs its action and is not let go", () => {
    const a = action();
    toast("removed", "ok", a);
    runToastAction();
    expect(a.run).toHaveBeenCalledTimes(1);
    expect(session.toast).toBeNull();
    vi.advanceTimersByTime(ACTION_TOAST_MS);
    expect(a.gone).not.toHaveBeenCalled();
    // Nothing to press any more: Ctrl+Z does nothing.
    runToastAction();
    expect(a.run).toHaveBeenCalledTimes(1);
  });

  it("replaced by another toast or closed, lets its undo go once", () => {
    const first = action();
    toast("first removed", "ok", first);
    const second = action();
    toast("second removed", "ok", second);
    expect(first.gone).toHaveBeenCalledTimes(1);
    expect(second.gone).not.toHaveBeenCalled();
    dismissToast();
    expect(second.gone).toHaveBeenCalledTimes(1);
    dismissToast();
    expect(second.gone).toHaveBeenCalledTimes(1);
    expect(first.run).not.toHaveBeenCalled();
  });
});
