import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

// The API server `bun dev` starts listens on PORT: the proxy follows it (API_PORT, when set,
// points the proxy elsewhere, e.g. at a server started on its own).
const apiPort = process.env.API_PORT?.trim() || process.env.PORT?.trim() || "3000";
const apiTarget = `http://127.0.0.1:${apiPort}`;

export default defineConfig({
  // The hub's SharedWorker is a module worker that imports the client: bundle it as ES modules.
  worker: { format: "es" },
  plugins: [
    sveltekit({
      // A single-page app: every path the server does not know falls back to 200.html.
      adapter: adapter({ fallback: "200.html" }),
      // Registered by the root layout in production builds only (see src/service-worker).
      serviceWorker: { register: false },
      // Emitted as a <meta> CSP with the hashes of SvelteKit's inline scripts; the server sends
      // the same policy as a header, with frame-ancestors (which a <meta> cannot carry).
      csp: {
        mode: "hash",
        directives: {
          "default-src": ["self"],
          "script-src": ["self"],
          "style-src": ["self", "unsafe-inline"],
          "img-src": ["self", "data:", "blob:"],
          "font-src": ["self"],
          "connect-src": ["self"],
          "worker-src": ["self"],
          "manifest-src": ["self"],
          "base-uri": ["self"],
          "form-action": ["self"],
          "object-src": ["none"],
        },
      },
    }),
  ],
  server: {
    port: 5173,
    strictPort: true,
    // Same origin for the app and /api, so the HttpOnly session cookie just works.
    proxy: { "/api": { target: apiTarget, changeOrigin: false } },
  },
});
