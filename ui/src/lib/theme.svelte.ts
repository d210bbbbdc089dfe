// Light and dark themes follow the OS unless the user picks one in Settings.

export type Theme = "system" | "light" | "dark";

export const theme = $state({ choice: "system" as Theme });

export function asTheme(v: string | undefined): Theme {
  return v === "light" || v === "dark" ? v : "system";
}

export function applyTheme(): void {
  const root = document.documentElement;
  if (theme.choice === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme.choice);
}

/** Show the UI in `t` (the caller saves the choice with the backend). */
export function setTheme(t: Theme): void {
  theme.choice = t;
  applyTheme();
}
