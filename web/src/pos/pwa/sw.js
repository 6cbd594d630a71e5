/* global self, caches, __PRECACHE__ */
/**
 * The till's service worker (scope /pos): it keeps the application's shell — the page and the
 * scripts and styles the till runs, listed by the build (web/build/pos-service-worker.ts fills in
 * PRECACHE and VERSION) — so that the till opens and reloads without the network. It never touches
 * the API: the till's own code calls it and keeps its catalog and waiting sales in IndexedDB.
 *
 * - a navigation to /pos…: the network first (a new build is seen at once), the kept page when
 *   there is no answer within a few seconds;
 * - /assets/… (hashed, immutable): the kept copy, else the network (and kept);
 * - anything else (the API, images): not handled, straight to the network.
 */
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `comptoir-pos-${VERSION}`;
const SHELL = "/pos/__shell__";
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // The page itself ("/" answers index.html to any client), kept under the shell's own key.
      const page = await fetch("/", { cache: "no-cache" });
      if (!page.ok) throw new Error(`the page answered ${page.status}`);
      await cache.put(SHELL, page);
      await cache.addAll(PRECACHE);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("comptoir-pos-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

async function navigation(request) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), NAVIGATION_TIMEOUT_MS);
  try {
    const answer = await fetch(request, { signal: controller.signal });
    if (answer.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(SHELL, answer.clone());
    }
    return answer;
  } catch {
    const kept = await caches.match(SHELL);
    return kept ?? new Response("Offline", { status: 503, headers: { "content-type": "text/plain" } });
  } finally {
    clearTimeout(timer);
  }
}

async function asset(request) {
  const kept = await caches.match(request, { ignoreVary: true });
  if (kept) return kept;
  const answer = await fetch(request);
  if (answer.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, answer.clone());
  }
  return answer;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === "/pos" || url.pathname.startsWith("/pos/"))) {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith("/assets/") || url.pathname.startsWith("/pos/")) {
    event.respondWith(asset(request));
  }
});
