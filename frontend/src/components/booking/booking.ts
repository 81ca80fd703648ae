import type { components } from "@/api/schema";
import { formatParisDateTime } from "@/utils/format";

// The appointment pieces shared with the structures' agenda (status badges, one-line place, attendance buttons).
export { ATTENDANCE, bookingBadge, personName, placeLine, remainingLabel } from "@/components/agenda/agenda";
export type { Booking, Place } from "@/components/agenda/agenda";

type Schemas = components["schemas"];

export type Slot = Schemas["SlotOut"];

/** A booking that still holds its place and has not ended yet: the referral's "upcoming" appointment. */
export function isUpcoming(booking: { status: string; ends_at: string }, now = Date.now()): boolean {
  return booking.status === "booked" && new Date(booking.ends_at).getTime() > now;
}

/** "mardi 3 mars, 09 h 30 (Entretien d'accueil)". */
export function slotLabel(slot: { starts_at: string; title?: string | null }): string {
  const when = formatParisDateTime(slot.starts_at);
  return slot.title ? `${when} (${slot.title})` : when;
}
