// Light and dark themes follow the OS unless the user picks one in Settings.

export type Theme = "system" | "light" | "dark";

export const theme = $state({ choice: "system" as Theme });

export function asTheme(v: string | undefined): Theme {
  return v === "light" || v === "dark" ? v : "system";
}

const osDark = globalThis.matchMedia?.("(prefers-color-scheme: dark)");
// Follow the OS live while the choice is "system".
osDark?.addEventListener?.("change", () => applyTheme());

/** Put the effective theme on <html data-theme>, the one switch the stylesheet reads. */
export function applyTheme(): void {
  const effective = theme.choice === "system" ? (osDark?.matches ? "dark" : "light") : theme.choice;
  document.documentElement.setAttribute("data-theme", effective);
}

/** Show the UI in `t` (the caller saves the choice with the backend). */
export function setTheme(t: Theme): void {
  theme.choice = t;
  applyTheme();
}
