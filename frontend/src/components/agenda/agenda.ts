import type { components } from "@/api/schema";

type Schemas = components["schemas"];

export type AgendaSlot = Schemas["AgendaSlot"];
export type Agenda = Schemas["AgendaOut"];
export type Booking = Schemas["BookingOut"];
export type BookingState = Schemas["BookingState"];
export type BookableBy = Schemas["BookableBy"];
export type Place = Schemas["PlaceOut"];
export type PlaceKind = Schemas["PlaceKind"];
export type Feed = Schemas["FeedOut"];
export type FeedCreated = Schemas["FeedCreated"];

/** What the agenda's pieces need to know of the structure. */
export interface AgendaStructure {
  id: number;
  nom: string;
  canEdit: boolean;
  services: { id: number; nom: string }[];
}

/** 0 = Monday … 6 = Sunday, as the API counts them. */
export const WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"] as const;

export const PLACE_KINDS: { value: PlaceKind; text: string; hint: string }[] = [
  { value: "sur-place", text: "Sur place", hint: "La personne vient à l'adresse du lieu." },
  { value: "telephone", text: "Par téléphone", hint: "La structure appelle la personne." },
  { value: "visio", text: "En visio", hint: "Le lien est donné dans les consignes." },
];

export const BOOKABLE_BY: { value: BookableBy; text: string; hint: string }[] = [
  { value: "network", text: "Les conseillers du réseau", hint: "Les conseillers des autres structures peuvent y inscrire une personne." },
  { value: "structure", text: "La structure seulement", hint: "Seuls les membres de votre structure y inscrivent des personnes." },
];

/** Attendance marks, in the order of the buttons. */
export const ATTENDANCE: { value: Extract<BookingState, "honoured" | "missed" | "excused">; text: string }[] = [
  { value: "honoured", text: "Venue" },
  { value: "missed", text: "Absente" },
  { value: "excused", text: "Excusée" },
];

const STATUS_BADGE: Record<string, string> = {
  booked: "fr-badge--info",
  honoured: "fr-badge--success",
  missed: "fr-badge--error",
  excused: "fr-badge--new",
  cancelled: "",
};

export function bookingBadge(status: string): string {
  return STATUS_BADGE[status] ?? "";
}

/** "Accueil du siège (sur place, 12 rue …)" in one line. */
export function placeLine(place: Place): string {
  const where = [place.adresse, [place.code_postal, place.commune].filter(Boolean).join(" ")].filter(Boolean).join(", ");
  return where ? `${place.name} — ${where}` : `${place.name} (${place.kind_label.toLowerCase()})`;
}

/** "3 places restantes sur 8", "1 place restante sur 1" or "Complet". */
export function remainingLabel(remaining: number, capacity: number): string {
  if (remaining <= 0) return "Complet";
  return `${remaining} ${remaining > 1 ? "places restantes" : "place restante"} sur ${capacity}`;
}

export function personName(booking: Booking): string {
  return `${booking.person.first_name} ${booking.person.last_name}`;
}
