// Offline support: every file of the page is kept in the cache and served
// from it when the network (or the server) is gone. Online, the network
// answers first so a new build is never hidden behind an old cache.
'use strict';
const CACHE = 'sigconv-playground-v1';
const FILES = ['./', 'index.html', 'app.js', 'style.css', 'wasm_exec.js', 'sigconv.wasm'];

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (ev) => {
  ev.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener('fetch', (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== 'GET' || url.origin !== self.location.origin) return;
  ev.respondWith(fetch(ev.request)
    .then((res) => {
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(ev.request, copy));
      }
      return res;
    })
    .catch(() => caches.match(ev.request, { ignoreSearch: true })));
});
