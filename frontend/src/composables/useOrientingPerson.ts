import { ref, shallowRef, watch, type WatchSource } from "vue";

import { api, ApiError, asApiError, unwrap } from "@/api/client";
import type { Membership, Person } from "@/api/types";

/** "Orienter cette personne": the person page → the directory search (?personne=ID) → /orienter/:serviceId?personne=ID.
 * The person last shown is kept here so that the next pages need not read (and, for an animator, audit) it again. */
let last: Person | null = null;

export function rememberPerson(person: Person): void {
  last = person;
}

/** "Océane L.": the person as named on the directory pages. */
export function shortName(person: { first_name: string; last_name: string }): string {
  const initial = person.last_name.trim().charAt(0);
  return initial ? `${person.first_name} ${initial.toLocaleUpperCase("fr-FR")}.` : person.first_name;
}

/** The backend's rule for sending a referral of an existing person (referrals/access.py, service.send_referral):
 * the person is visible (their page loaded), their data is not erased, and the referral is sent on behalf of the
 * current structure, which must belong to the person's network. */
export function mayOrient(person: Person, structure: Membership | null): boolean {
  return structure !== null && structure.network_id === person.network_id && !person.anonymised_at;
}

/** The person being oriented, read by id (null id: nobody); a 404 means unknown or not visible. */
export function useOrientingPerson(id: WatchSource<number | null>) {
  const person = shallowRef<Person | null>(null);
  const loading = ref(false);
  const error = shallowRef<ApiError | null>(null);
  let request = 0;

  watch(
    id,
    async (value) => {
      const current = ++request;
      error.value = null;
      if (value === null) {
        person.value = null;
        loading.value = false;
        return;
      }
      if (last?.id === value) {
        person.value = last;
        loading.value = false;
        return;
      }
      loading.value = true;
      try {
        const found = await unwrap(api.GET("/api/v1/people/{person_id}", { params: { path: { person_id: value } } }));
        if (current !== request) return;
        last = found;
        person.value = found;
      } catch (failure) {
        if (current !== request) return;
        person.value = null;
        error.value = asApiError(failure);
      } finally {
        if (current === request) loading.value = false;
      }
    },
    { immediate: true },
  );

  return { person, loading, error };
}

const slugs = new Map<number, Promise<string | null>>();

/** The network (slug) of a structure, read once per structure: the directory search of the person's network. */
export function networkSlugOf(structureId: number): Promise<string | null> {
  let found = slugs.get(structureId);
  if (!found) {
    found = unwrap(api.GET("/api/v1/structures/{structure_id}", { params: { path: { structure_id: structureId } } }))
      .then((structure) => structure.network)
      .catch(() => {
        slugs.delete(structureId);
        return null;
      });
    slugs.set(structureId, found);
  }
  return found;
}
