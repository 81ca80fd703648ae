import { createRouter, createWebHistory, type LocationQueryValue } from "vue-router";

import { loadSession } from "./composables/useSession";
import SearchPage from "./pages/SearchPage.vue";

declare module "vue-router" {
  interface RouteMeta {
    /** The page needs a signed-in user: anonymous visitors are sent to /connexion?suivant=<path>. */
    requiresAuth?: boolean;
  }
}

const numericId = (value: string | string[]) => ({ id: Number(Array.isArray(value) ? value[0] : value) });
/** "?personne=12" → 12; anything else → null. */
const queryId = (value: LocationQueryValue | LocationQueryValue[] | undefined) => {
  const first = Array.isArray(value) ? value[0] : value;
  return first && /^[1-9]\d{0,14}$/.test(first) ? Number(first) : null;
};
const text = (value: string | string[] | undefined) => (Array.isArray(value) ? (value[0] ?? "") : (value ?? ""));

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", name: "recherche", component: SearchPage },
    {
      path: "/structures/:id(\\d+)",
      name: "structure",
      component: () => import("./pages/StructurePage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
    },
    {
      path: "/services/:id(\\d+)",
      name: "service",
      component: () => import("./pages/ServicePage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
    },
    { path: "/connexion", name: "connexion", component: () => import("./pages/LoginPage.vue") },
    { path: "/connexion/lien", name: "connexion-lien", component: () => import("./pages/LoginLinkPage.vue") },
    { path: "/invitation", name: "invitation", component: () => import("./pages/InvitationPage.vue") },
    {
      path: "/compte",
      name: "compte",
      component: () => import("./pages/AccountPage.vue"),
      meta: { requiresAuth: true },
    },
    {
      path: "/gestion/structures/:id(\\d+)",
      name: "gestion-structure",
      component: () => import("./pages/ManageStructurePage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/gestion/structures/:id(\\d+)/equipe",
      name: "gestion-equipe",
      component: () => import("./pages/TeamPage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/gestion/structures/:id(\\d+)/agenda",
      name: "gestion-agenda",
      component: () => import("./pages/AgendaPage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/gestion/structures/:id(\\d+)/agenda/jour/:date(\\d{4}-\\d{2}-\\d{2})",
      name: "gestion-agenda-jour",
      component: () => import("./pages/AgendaDayPage.vue"),
      props: (route) => ({ ...numericId(route.params.id ?? ""), date: text(route.params.date) }),
      meta: { requiresAuth: true },
    },
    {
      path: "/gestion/structures/:id(\\d+)/indicateurs",
      name: "gestion-indicateurs",
      component: () => import("./pages/StructureStatsPage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/gestion/services/:id(\\d+)",
      name: "gestion-service",
      component: () => import("./pages/ManageServicePage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/orienter/:serviceId(\\d+)",
      name: "orienter",
      component: () => import("./pages/OrientPage.vue"),
      props: (route) => ({ serviceId: numericId(route.params.serviceId ?? "").id, personId: queryId(route.query.personne) }),
      meta: { requiresAuth: true },
    },
    { path: "/orientations", redirect: { name: "orientations-recues" } },
    {
      path: "/orientations/recues",
      name: "orientations-recues",
      component: () => import("./pages/ReferralsPage.vue"),
      props: { direction: "received" },
      meta: { requiresAuth: true },
    },
    {
      path: "/orientations/envoyees",
      name: "orientations-envoyees",
      component: () => import("./pages/ReferralsPage.vue"),
      props: { direction: "sent" },
      meta: { requiresAuth: true },
    },
    {
      path: "/orientations/:id(\\d+)",
      name: "orientation",
      component: () => import("./pages/ReferralPage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/rendez-vous",
      name: "mes-rendez-vous",
      component: () => import("./pages/MyAppointmentsPage.vue"),
      meta: { requiresAuth: true },
    },
    {
      path: "/personnes/:id(\\d+)",
      name: "personne",
      component: () => import("./pages/PersonPage.vue"),
      props: (route) => numericId(route.params.id ?? ""),
      meta: { requiresAuth: true },
    },
    {
      path: "/reseau/:slug([a-z0-9-]+)",
      name: "reseau",
      component: () => import("./pages/NetworkPage.vue"),
      props: (route) => ({ slug: text(route.params.slug) }),
      meta: { requiresAuth: true },
    },
    {
      path: "/reseau/:slug([a-z0-9-]+)/pilotage",
      name: "pilotage",
      component: () => import("./pages/PilotagePage.vue"),
      props: (route) => ({ slug: text(route.params.slug) }),
      meta: { requiresAuth: true },
    },
    { path: "/indicateurs/definitions", name: "indicateurs-definitions", component: () => import("./pages/StatsDefinitionsPage.vue") },
    {
      path: "/admin/reseaux",
      name: "admin-reseaux",
      component: () => import("./pages/AdminNetworksPage.vue"),
      meta: { requiresAuth: true },
    },
    { path: "/demo/boite", name: "demo-boite", component: () => import("./pages/DemoMailboxPage.vue") },
    { path: "/:chemin(.*)*", name: "introuvable", component: () => import("./pages/NotFoundPage.vue") },
  ],
  scrollBehavior(to, from, savedPosition) {
    if (savedPosition) return savedPosition;
    if (to.hash) return { el: to.hash };
    if (to.path === from.path) return false;
    return { top: 0 };
  },
});

router.beforeEach(async (to) => {
  if (!to.meta.requiresAuth) return true;
  const me = await loadSession();
  // If the session could not be read (network failure), the page itself shows the API's error.
  if (me === null || me.user) return true;
  return { name: "connexion", query: { suivant: to.fullPath } };
});
