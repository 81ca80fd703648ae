/* The French labels of the referrals' codes come from the API: composables/useReferralVocabulary.ts. */

const STATUS_BADGES: Record<string, string> = {
  sent: "fr-badge--info",
  accepted: "fr-badge--success",
  refused: "fr-badge--error",
  cancelled: "",
  expired: "fr-badge--warning",
  closed: "",
};

const FOLLOW_UP_BADGES: Record<string, string> = {
  awaiting_answer: "fr-badge--blue-ecume",
  never_contacted: "fr-badge--orange-terre-battue",
  appointment_upcoming: "fr-badge--green-emeraude",
  appointment_to_confirm: "fr-badge--yellow-tournesol",
  appointment_missed: "fr-badge--pink-tuile",
  in_progress: "fr-badge--green-menthe",
  closed: "",
};

export const statusBadge = (status: string) => STATUS_BADGES[status] ?? "";
export const followUpBadge = (followUp: string) => FOLLOW_UP_BADGES[followUp] ?? "";

/** "2026-03-12T14:05": now, for an <input type="datetime-local"> (local time). */
export function localNow(): string {
  const date = new Date();
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value as an ISO date-time with its offset (the API wants aware date-times). */
export function toAware(local: string): string {
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** "envoyée" → "Envoyée" (the API gives some labels in lower case, for use inside a sentence). */
export function capitalize(label: string): string {
  return label.charAt(0).toLocaleUpperCase("fr-FR") + label.slice(1);
}
