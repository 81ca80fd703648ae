const number = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
const longDate = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long" });

/** "Aucun service trouvé" / "1 service trouvé" / "42 services trouvés". */
export function countLabel(count: number, singular: string, plural: string, none = "Aucun"): string {
  if (count === 0) return `${none} ${singular}`;
  return `${number.format(count)} ${count > 1 ? plural : singular}`;
}

/** "à 850 m" or "à 2,4 km". */
export function formatDistance(km: number): string {
  if (km < 1) return `à ${Math.max(10, Math.round((km * 1000) / 10) * 10)} m`;
  return `à ${number.format(km)} km`;
}

/** "12 mars 2026" from an ISO date or date-time. */
export function formatDate(iso: string): string {
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  return Number.isNaN(date.getTime()) ? iso : longDate.format(date);
}

/** A tel: link keeping only the digits and the leading + of a phone number. */
export function telHref(phone: string): string {
  return `tel:${phone.replace(/[^\d+]/g, "")}`;
}

/** Prefix a bare domain with https:// so it can be used as a link. */
export function externalHref(url: string): string {
  return /^https?:\/\//i.test(url) ? url : `https://${url}`;
}

export function joinLabels(items: { label: string }[]): string {
  return items.map((item) => item.label).join(", ");
}

/** "+33199004700" or "0199004700" → "01 99 00 47 00"; other numbers are kept as written. */
export function formatPhone(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, "");
  const national = digits.startsWith("+33") ? `0${digits.slice(3)}` : digits;
  return /^0\d{9}$/.test(national) ? national.replace(/(\d{2})(?=\d)/g, "$1 ") : phone;
}

const dateTime = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeStyle: "short" });

/** "12 mars 2026 à 14:05" from an ISO date-time. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** "2026-03-12": a date for an <input type="date"> (local time), `days` from today. */
export function isoDay(days = 0): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// ---------------------------------------------------------------- Paris time (appointments)
// Appointments happen in Paris: their dates and times are shown, and typed, in Europe/Paris whatever the
// browser's time zone. A "day" below is a Paris calendar date written "2026-03-03".

export const PARIS_TIME_ZONE = "Europe/Paris";

const parisClock = new Intl.DateTimeFormat("en-GB", {
  timeZone: PARIS_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});
const parisDayLabel = new Intl.DateTimeFormat("fr-FR", { timeZone: PARIS_TIME_ZONE, weekday: "long", day: "numeric", month: "long" });
const parisDayYearLabel = new Intl.DateTimeFormat("fr-FR", {
  timeZone: PARIS_TIME_ZONE,
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const parisTime = new Intl.DateTimeFormat("fr-FR", { timeZone: PARIS_TIME_ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/** The wall clock of Paris at an instant. */
function parisFields(date: Date) {
  const parts: Record<string, number> = {};
  for (const part of parisClock.formatToParts(date)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

const pad2 = (value: number) => String(value).padStart(2, "0");

function dayParts(day: string): [number, number, number] {
  const [year, month, date] = day.split("-").map(Number);
  return [year ?? 1970, month ?? 1, date ?? 1];
}

/** "2026-03-03": the Paris calendar date of an instant (now by default). */
export function parisDay(value: string | Date = new Date()): string {
  const f = parisFields(toDate(value));
  return `${f.year}-${pad2(f.month)}-${pad2(f.day)}`;
}

/** "09:30": the Paris wall-clock time of an instant. */
export function parisHourMinute(value: string | Date): string {
  const f = parisFields(toDate(value));
  return `${pad2(f.hour)}:${pad2(f.minute)}`;
}

/** The instant at which Paris reads `day` and `time` ("2026-03-03", "09:30"), summer time included. */
export function parisInstant(day: string, time = "00:00"): Date {
  const [year, month, date] = dayParts(day);
  const [hour, minute] = time.split(":").map(Number);
  const wanted = Date.UTC(year, month - 1, date, hour ?? 0, minute ?? 0);
  const offsetAt = (instant: number) => {
    const f = parisFields(new Date(instant));
    return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - Math.floor(instant / 1000) * 1000;
  };
  // Two passes: the offset at the guess, then at the corrected instant (around a change of hour).
  let instant = wanted - offsetAt(wanted);
  instant = wanted - offsetAt(instant);
  return new Date(instant);
}

/** `day` moved by `days` calendar days ("2026-03-31", 1 → "2026-04-01"). */
export function addDays(day: string, days: number): string {
  const [year, month, date] = dayParts(day);
  const moved = new Date(Date.UTC(year, month - 1, date + days));
  return `${moved.getUTCFullYear()}-${pad2(moved.getUTCMonth() + 1)}-${pad2(moved.getUTCDate())}`;
}

/** 0 for Monday … 6 for Sunday. */
export function weekdayOf(day: string): number {
  const [year, month, date] = dayParts(day);
  return (new Date(Date.UTC(year, month - 1, date)).getUTCDay() + 6) % 7;
}

/** The Monday of the week of `day`. */
export function weekStart(day: string): string {
  return addDays(day, -weekdayOf(day));
}

/** Whether a string is a real calendar date written "2026-03-03". */
export function isDay(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) && addDays(value, 0) === value;
}

/** "mardi 3 mars" (with the year too: "mardi 3 mars 2026") from a day or an instant, in Paris. */
export function formatParisDay(value: string | Date, withYear = false): string {
  const date = typeof value === "string" && isDay(value) ? parisInstant(value, "12:00") : toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return (withYear ? parisDayYearLabel : parisDayLabel).format(date);
}

/** "09 h 30" in Paris. */
export function formatParisTime(value: string | Date): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const parts = Object.fromEntries(parisTime.formatToParts(date).map((part) => [part.type, part.value]));
  return `${parts.hour ?? "00"} h ${parts.minute ?? "00"}`;
}

/** "mardi 3 mars, 09 h 30" in Paris. */
export function formatParisDateTime(value: string | Date): string {
  return `${formatParisDay(value)}, ${formatParisTime(value)}`;
}
