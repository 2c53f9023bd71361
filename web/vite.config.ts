// Vite build of the map application: web/ → web/dist/ (the map, the accessibility statement, the staff
// console, hashed assets), served by Koa at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  // No public/ folder: every asset is imported by the code so it gets a content hash.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // MapLibre alone is ~1 MB minified; warning about it on every build is noise.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        accessibilite: fileURLToPath(new URL('./accessibilite.html', import.meta.url)),
        console: fileURLToPath(new URL('./console.html', import.meta.url)),
        catalogue: fileURLToPath(new URL('./catalogue.html', import.meta.url)),
      },
      output: {
        // MapLibre in a chunk of its own: it changes with its version only (long browser caching),
        // and the app's own weight can be measured against its budget (bench/web.bench.ts).
        manualChunks: (id: string) => (id.includes('/node_modules/maplibre-gl/') ? 'maplibre' : undefined),
      },
    },
  },
});
