import { computed } from "vue";

import { useSession } from "./useSession";

/** The networks the signed-in user animates (id, slug, name, territory), as GET /auth/me lists them. */
export function useAnimatorNetworks() {
  const { me } = useSession();
  const animated = computed(() => me.value?.animator_networks ?? []);
  return { animated };
}
