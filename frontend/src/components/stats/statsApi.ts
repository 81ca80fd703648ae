import { api, unwrap } from "@/api/client";

import type { StatsQuery } from "./types";

function apiQuery(query: StatsQuery) {
  return {
    scope: query.scope,
    scope_id: query.scope === "network" ? null : query.scopeId,
    start: query.start,
    end: query.end,
  };
}

export function loadReport(slug: string, query: StatsQuery, signal?: AbortSignal) {
  return unwrap(api.GET("/api/v1/stats/networks/{slug}", { params: { path: { slug }, query: apiQuery(query) }, signal }));
}

export function loadScopes(slug: string, signal?: AbortSignal) {
  return unwrap(api.GET("/api/v1/stats/networks/{slug}/scopes", { params: { path: { slug } }, signal }));
}

export function refreshNow(slug: string) {
  return unwrap(api.POST("/api/v1/stats/networks/{slug}/refresh", { params: { path: { slug } } }));
}

export function loadDefinitions(signal?: AbortSignal) {
  return unwrap(api.GET("/api/v1/stats/definitions", { signal }));
}

/** The CSV export of one table (or of every key figure) with the same scope and period as the page. */
export function exportHref(slug: string, table: string, query: StatsQuery): string {
  const params = new URLSearchParams({ scope: query.scope });
  if (query.scope !== "network" && query.scopeId !== null) params.set("scope_id", String(query.scopeId));
  if (query.start) params.set("start", query.start);
  if (query.end) params.set("end", query.end);
  return `/api/v1/stats/networks/${encodeURIComponent(slug)}/export/${encodeURIComponent(table)}.csv?${params}`;
}
