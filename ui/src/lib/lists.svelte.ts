// What a list page was showing (its filters and order), kept while the app runs: coming back
// from a release finds the list as it was left.

import type { ReleaseQuery } from "./types";

export const EMPTY_RELEASE_FILTERS = {
  service: "",
  environment: "",
  status: "",
  change_type: "",
  from: "",
  to: "",
};

/** The order the release list opens in: the newest first. */
export const FIRST_RELEASE_SORT = "-created";

export const releaseList = $state<{ filters: ReleaseQuery; sort: string }>({
  filters: { ...EMPTY_RELEASE_FILTERS },
  sort: FIRST_RELEASE_SORT,
});

/** The next order when a column's header is clicked: its natural direction first (descending
 *  for `descending` keys), then the other. */
export function nextSort(current: string, key: string, descending: boolean): string {
  const natural = descending ? `-${key}` : key;
  return current === natural ? (descending ? key : `-${key}`) : natural;
}

/** The mark a column's header shows for the current order, kept with the header's last word. */
export function sortMark(current: string, key: string): string {
  return current === key ? "\u00a0▲" : current === `-${key}` ? "\u00a0▼" : "";
}

export const EMPTY_RISK_FILTERS = { search: "", status: "", service: "", min_score: "" };

/** The order the risk register opens in: the highest score first. */
export const FIRST_RISK_SORT = "-score";

/** The register as it was left: its filters and order, the heat map's side and the cell picked
 *  in it. */
export const riskList = $state<{
  filters: typeof EMPTY_RISK_FILTERS;
  sort: string;
  residual: boolean;
  cell: { l: number; i: number } | null;
}>({ filters: { ...EMPTY_RISK_FILTERS }, sort: FIRST_RISK_SORT, residual: false, cell: null });
