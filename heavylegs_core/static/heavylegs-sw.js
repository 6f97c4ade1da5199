/* heavylegs service worker (issue #11): Voila's startup scripts from Cache Storage.

   Opening an app costs the browser mostly compiling Voila's JavaScript (about 4.5 MB).
   Chromium keeps compiled code for the scripts a service worker puts in Cache Storage
   while it installs, so every later page that this worker controls starts from compiled
   code instead of compiling those scripts again.

   The page registers this file (under `heavylegs app` only, once the app is ready) with
   one `u` query parameter per script it ran. On install the worker fetches each of them
   and keeps only the answers the server marks `immutable`: URLs that name their version
   (Voila's `/voila/static/_v/<version>/` files and the bundles there, template files with
   `?v=<digest>`). Their content can never change, so a cached copy is never stale; a
   Voila or extension upgrade changes the URLs, hence this worker's own URL, and the new
   worker replaces this one and deletes its cache. It answers only the scripts the page
   listed: those it keeps from Cache Storage, the others (such as the extensions' entry
   files, which the server revalidates on each use) by fetching them from the server. Every
   other request (pages, the kernel API, uploads) goes to the network as without a worker.
   It stores no user data. */
"use strict";

const PREFIX = "heavylegs-static-";
const WANTED = new URL(self.location.href).searchParams.getAll("u")
  .map((u) => new URL(u, self.location.href))
  .filter((u) => u.origin === self.location.origin)
  .map((u) => u.href);
const WANTED_SET = new Set(WANTED);

/** The cache of this list of URLs: a digest of the list, so that another list has another cache. */
const CACHE = crypto.subtle.digest("SHA-256", new TextEncoder().encode(WANTED.join("\n")))
  .then((d) => PREFIX + Array.from(new Uint8Array(d).slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join(""));

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(await CACHE);
    await Promise.all(WANTED.map(async (url) => {
      const response = await fetch(url);
      if (response.ok && /\bimmutable\b/.test(response.headers.get("Cache-Control") || "")) {
        await cache.put(url, response);
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const keep = await CACHE;
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== keep).map((n) => caches.delete(n)));
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !WANTED_SET.has(request.url)) {
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request, { cacheName: await CACHE });
    return cached || fetch(request);
  })());
});
