import { parisDay } from "@/utils/format";

/** Months are written "2026-03" (AAAA-MM), as the API takes and returns them. */
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const MONTH_NAMES = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
  "novembre", "décembre"];

export function isMonth(value: unknown): value is string {
  return typeof value === "string" && MONTH.test(value);
}

/** The current month in Paris. */
export function currentMonth(): string {
  return parisDay().slice(0, 7);
}

/** `month` moved by `months` ("2026-01", -1 → "2025-12"). */
export function addMonths(month: string, months: number): string {
  const [year = 1970, number = 1] = month.split("-").map(Number);
  const index = year * 12 + (number - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** "mars 2026". */
export function monthLabel(month: string): string {
  const [year, number] = month.split("-").map(Number);
  const name = MONTH_NAMES[(number ?? 1) - 1];
  return name && year ? `${name} ${year}` : month;
}

/** "de janvier 2025 à décembre 2025", or "en mars 2026" for one month. */
export function periodLabel(start: string, end: string): string {
  return start === end ? `en ${monthLabel(start)}` : `de ${monthLabel(start)} à ${monthLabel(end)}`;
}

export interface QuickPeriod {
  key: string;
  label: string;
  /** null: the API's default, the last 12 months. */
  start: string | null;
  end: string | null;
}

/** The quick choices above the month fields: the last 12 months, this year so far, last year. */
export function quickPeriods(today = currentMonth()): QuickPeriod[] {
  const year = Number(today.slice(0, 4));
  return [
    { key: "12-mois", label: "12 derniers mois", start: null, end: null },
    { key: String(year), label: `Année ${year}`, start: `${year}-01`, end: today },
    { key: String(year - 1), label: `Année ${year - 1}`, start: `${year - 1}-01`, end: `${year - 1}-12` },
  ];
}
