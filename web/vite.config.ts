import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dashboard builds to web/dist, which the server serves at /. `vite web` proxies the API
// to a server on :8080 for development.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' } },
});
