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
