import type { components } from "@/api/schema";

/** The shapes of the indicator API (backend/maillage/stats/schemas.py), as generated from the OpenAPI document. */
type Schemas = components["schemas"];

export type StatsValue = Schemas["Value"];
export type StatsFigure = Schemas["Figure"];
export type StatsColumn = Schemas["Column"];
export type StatsRow = Schemas["Row"];
export type StatsTable = Schemas["Table"];
export type StatsSection = Schemas["Section"];
export type StatsReport = Schemas["StatsReport"];
export type ScopeChoices = Schemas["ScopeChoices"];
export type StatsDefinition = Schemas["Definition"];
export type ScopeKind = Schemas["ScopeOut"]["kind"];
export type StatsUnit = StatsFigure["unit"];

/** What a report is asked for: the scope, and the period (null: the API's default, the last 12 months). */
export interface StatsQuery {
  scope: ScopeKind;
  scopeId: number | null;
  start: string | null;
  end: string | null;
}

/** The key of the CSV export of every key figure. */
export const FIGURES_EXPORT = "chiffres-cles";
