import type { components } from "@/api/schema";

type Schemas = components["schemas"];

/** The codes the referral API accepts, with their French labels. The API does not expose them as a referential:
 * keep them in step with backend/maillage/referrals/models.py (REFUSAL_LABELS, OUTCOME_LABELS),
 * backend/maillage/referrals/schemas.py (CHANNEL_LABELS), backend/maillage/people/models.py
 * (CONTACT_PREFERENCE_LABELS, HEARD_VIA_LABELS) and backend/maillage/referrals/stall.py (STALL_LABELS). */
export const REFUSAL_LABELS: Record<Schemas["RefusalReason"], string> = {
  injoignable: "Personne injoignable",
  "absente-entretien": "Absente à l'entretien",
  "deja-en-emploi": "Déjà en emploi",
  "en-formation": "En formation",
  "non-eligible": "Non éligible",
  "non-mobile": "Non mobile",
  "pas-interessee": "Pas intéressée",
  "freins-peripheriques": "Freins périphériques",
  "plus-de-place": "Plus de place",
  doublon: "Doublon",
  autre: "Autre (préciser)",
};

export const OUTCOME_LABELS: Record<Schemas["Outcome"], string> = {
  "emploi-durable": "Emploi durable (CDI, CDD ≥ 6 mois)",
  "emploi-de-transition": "Emploi de transition",
  "formation-qualifiante": "Formation qualifiante",
  "creation-activite": "Création d'activité",
  "frein-leve": "Frein levé (solution sociale)",
  reorientation: "Réorientation vers une autre structure",
  abandon: "Abandon / injoignable",
  demenagement: "Déménagement",
  autre: "Autre (préciser)",
};

export const CHANNEL_LABELS: Record<Schemas["ContactChannel"], string> = {
  telephone: "Téléphone",
  sms: "SMS",
  courriel: "Courriel",
  "sur-place": "Sur place",
  courrier: "Courrier",
  visio: "Visio",
};

export const CONTACT_PREFERENCE_LABELS: Record<Schemas["ContactPreference"], string> = {
  telephone: "Téléphone",
  sms: "SMS",
  courriel: "Courriel",
  courrier: "Courrier",
  "par-le-prescripteur": "Par l'intermédiaire du prescripteur",
};

export const HEARD_VIA_LABELS: Record<Schemas["HeardVia"], string> = {
  prescripteur: "Orientée par un professionnel",
  "bouche-a-oreille": "Bouche-à-oreille",
  "evenement-de-quartier": "Événement dans le quartier (Jeudis de l'insertion…)",
  "cafe-emploi": "Café emploi",
  mairie: "Mairie",
  "reseaux-sociaux": "Réseaux sociaux",
  presse: "Presse, journal municipal",
  autre: "Autre",
};

export const STALL_RULE_LABELS: Record<Schemas["StallRule"], string> = {
  no_answer: "Sans réponse",
  never_contacted: "Jamais contactée",
  dormant: "Dormante",
};

/** Options for a SelectField or RadioGroup from one of the maps above. */
export function optionsOf<K extends string>(labels: Record<K, string>): { value: K; text: string }[] {
  return (Object.entries(labels) as [K, string][]).map(([value, text]) => ({ value, text }));
}

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

/** The statuses of a referral (backend/maillage/referrals/models.py, STATUS_LABELS), for lists that give only the code. */
export const STATUS_LABELS: Record<Schemas["ReferralStatus"], string> = {
  sent: "Envoyée",
  accepted: "Acceptée",
  refused: "Refusée",
  cancelled: "Annulée",
  expired: "Expirée",
  closed: "Clôturée",
};

/** "envoyée" → "Envoyée" (the API gives some labels in lower case, for use inside a sentence). */
export function capitalize(label: string): string {
  return label.charAt(0).toLocaleUpperCase("fr-FR") + label.slice(1);
}
