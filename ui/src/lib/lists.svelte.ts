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

export const releaseList = $state<{ filters: ReleaseQuery; sort: string }>({
  filters: { ...EMPTY_RELEASE_FILTERS },
  sort: "-created",
});

export const EMPTY_RISK_FILTERS = { search: "", status: "", service: "", min_score: "" };

/** The register as it was left: its filters, the heat map's side and the cell picked in it. */
export const riskList = $state<{
  filters: typeof EMPTY_RISK_FILTERS;
  residual: boolean;
  cell: { l: number; i: number } | null;
}>({ filters: { ...EMPTY_RISK_FILTERS }, residual: false, cell: null });
