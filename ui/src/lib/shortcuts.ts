// Keyboard shortcuts: `g` then a letter goes to a page; `n` new release; `/` first filter;
// `?` or F1 help; Ctrl+Z undoes the last removal while its toast shows. Ignored while typing in
// a field (where Ctrl+Z is the field's own).

import type { Page } from "./router.svelte";

export const SHORTCUT_KEYS: Record<Page, string> = {
  dashboard: "d",
  releases: "r",
  calendar: "c",
  risks: "k",
  reviews: "v",
  metrics: "m",
  reports: "p",
  communication: "t",
  connections: "o",
  audit: "a",
  settings: "s",
};

export type ShortcutAction =
  | { kind: "go"; page: Page }
  | { kind: "new" }
  | { kind: "search" }
  | { kind: "help" }
  | { kind: "sync" }
  | { kind: "undo" };

/** A small state machine over key presses; `pending` is true after a lone `g`. */
export function interpret(
  key: string,
  pending: boolean,
  mods: { ctrl: boolean; shift: boolean },
): { action: ShortcutAction | null; pending: boolean } {
  if (mods.ctrl && mods.shift && key.toLowerCase() === "s")
    return { action: { kind: "sync" }, pending: false };
  if (mods.ctrl && !mods.shift && key.toLowerCase() === "z")
    return { action: { kind: "undo" }, pending: false };
  if (mods.ctrl) return { action: null, pending: false };
  if (pending) {
    const page = (Object.keys(SHORTCUT_KEYS) as Page[]).find((p) => SHORTCUT_KEYS[p] === key);
    return { action: page ? { kind: "go", page } : null, pending: false };
  }
  switch (key) {
    case "g":
      return { action: null, pending: true };
    case "n":
      return { action: { kind: "new" }, pending: false };
    case "/":
      return { action: { kind: "search" }, pending: false };
    case "?":
    case "F1":
      return { action: { kind: "help" }, pending: false };
    default:
      return { action: null, pending: false };
  }
}
