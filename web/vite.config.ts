// Vite build of the map application: web/ → web/dist/ (index.html + hashed assets), served by Koa at `/`.
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
  },
});
