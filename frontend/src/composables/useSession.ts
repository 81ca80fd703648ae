import { computed, readonly, ref } from "vue";

import { api, setCsrfToken, unwrap } from "@/api/client";
import type { Me, Membership } from "@/api/types";

const me = ref<Me | null>(null);
const error = ref<string | null>(null);
let loading: Promise<Me | null> | null = null;

/** Keep the answer of GET /auth/me or of a sign-in endpoint (its CSRF token included). */
export function applySession(next: Me): Me {
  me.value = next;
  loading = Promise.resolve(next);
  error.value = null;
  setCsrfToken(next.csrf_token);
  return next;
}

/** Who is signed in; fetched once, again with `force` (after sign-out, or a 401). Null if it could not load. */
export function loadSession(force = false): Promise<Me | null> {
  if (force) loading = null;
  loading ??= unwrap(api.GET("/api/v1/auth/me"))
    .then(applySession)
    .catch((failure: Error) => {
      error.value = failure.message;
      loading = null;
      return null;
    });
  return loading;
}

export const ROLE_LABELS: Record<string, string> = { admin: "Administrateur·rice", member: "Membre" };

/** The signed-in user, their structures and roles, and the session actions (sign out, switch structure). */
export function useSession() {
  void loadSession();

  const user = computed(() => me.value?.user ?? null);
  const memberships = computed<Membership[]>(() => me.value?.memberships ?? []);
  const currentStructure = computed<Membership | null>(() => {
    const list = memberships.value;
    return list.find((m) => m.structure_id === me.value?.current_structure_id) ?? list[0] ?? null;
  });

  async function logout(): Promise<void> {
    await unwrap(api.POST("/api/v1/auth/logout"));
    me.value = null;
    await loadSession(true);
  }

  async function switchStructure(structureId: number): Promise<void> {
    applySession(await unwrap(api.POST("/api/v1/auth/switch", { body: { structure_id: structureId } })));
  }

  /** Change one's first and last name: the answer (MeOut) replaces the session, so the header follows. */
  async function updateProfile(firstName: string, lastName: string): Promise<Me> {
    return applySession(
      await unwrap(api.PATCH("/api/v1/auth/me", { body: { first_name: firstName.trim(), last_name: lastName.trim() } })),
    );
  }

  /** Leave a structure's team (the API refuses the last admin, 409), then read the session again. */
  async function leaveStructure(membershipId: number): Promise<string> {
    const answer = await unwrap(
      api.DELETE("/api/v1/manage/memberships/{membership_id}", { params: { path: { membership_id: membershipId } } }),
    );
    await loadSession(true);
    return answer.detail;
  }

  return {
    me: readonly(me),
    error: readonly(error),
    loaded: computed(() => me.value !== null),
    user,
    signedIn: computed(() => user.value !== null),
    memberships,
    currentStructure,
    isAnimator: computed(() => (me.value?.animator_of.length ?? 0) > 0),
    methods: computed(() => me.value?.methods ?? null),
    logout,
    switchStructure,
    updateProfile,
    leaveStructure,
    isAdminOf: (structureId: number) =>
      memberships.value.some((m) => m.structure_id === structureId && m.role === "admin"),
  };
}

/** Only local paths are followed after sign-in ("/gestion/…", never "//ailleurs.example" or "https://…"). */
export function safeNext(value: unknown): string {
  const path = Array.isArray(value) ? value[0] : value;
  if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  if (path.startsWith("/connexion")) return "/";
  return path;
}

const NEXT_KEY = "maillage:suivant";

/** The page asked for before an email link was requested: the link opens /connexion/lien in this browser,
 * which then goes on to it. */
export function rememberNext(path: string): void {
  try {
    localStorage.setItem(NEXT_KEY, safeNext(path));
  } catch {
    // Storage refused (private browsing): the user lands on the home page instead.
  }
}

export function takeRememberedNext(): string {
  try {
    const path = localStorage.getItem(NEXT_KEY);
    localStorage.removeItem(NEXT_KEY);
    return safeNext(path);
  } catch {
    return "/";
  }
}
