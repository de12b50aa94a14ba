// The nurse page's service worker: keeps the page's own files so that /nurse opens without
// network. Network first (a new version is used at once), the kept copy when offline. API
// answers (/v1/...) are never kept here: the page keeps the last worklist itself.

const CACHE = "hjemmetjeneste-nurse-v2";
const SHELL = [
  "/nurse",
  "/static/nurse.js",
  "/static/session.js",
  "/static/i18n.js",
  "/static/i18n/nb.json",
  "/static/i18n/en.json",
  "/static/i18n/pages.nb.json",
  "/static/i18n/pages.en.json",
  "/static/app.css",
  "/static/pages.css",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/v1/")) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      })
      .catch(() => caches.match(url.pathname)),
  );
});
