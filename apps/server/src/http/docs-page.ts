import { HEADERS } from "@rhizome/protocol";
import { Elysia } from "elysia";

const VIEWER_PATH = "/api/docs/viewer.js";
const viewer = Bun.file(new URL("./docs/viewer.js", import.meta.url));

/** The API reference: our own page and script, nothing from another origin (CSP 'self'). */
export function docsPage(title: string) {
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <style>
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; }
      code, pre { font: 13px ui-monospace, monospace; }
      pre { background: #f4f4f5; padding: 0.5rem; overflow: auto; }
      .operation { border: 1px solid #d4d4d8; border-radius: 4px; margin: 0.4rem 0; }
      .operation > summary { cursor: pointer; padding: 0.4rem; }
      .operation .body { padding: 0 0.8rem 0.6rem; }
      .method { display: inline-block; min-width: 4.5rem; font-weight: 600; }
      .get { color: #0369a1; } .post { color: #15803d; } .patch, .put { color: #a16207; }
      .delete { color: #b91c1c; }
    </style>
  </head>
  <body>
    <main id="reference"><h1>${escapeHtml(title)}</h1><p>Loading…</p></main>
    <script src="${VIEWER_PATH}" defer></script>
  </body>
</html>
`;
  return new Elysia({ name: "docs-page" })
    .get(
      "/api/docs",
      () => new Response(html, { headers: { [HEADERS.contentType]: "text/html; charset=utf-8" } }),
      { detail: { hide: true } },
    )
    .get(
      VIEWER_PATH,
      () =>
        new Response(viewer, {
          headers: {
            [HEADERS.contentType]: "text/javascript; charset=utf-8",
            [HEADERS.cacheControl]: "no-cache",
          },
        }),
      { detail: { hide: true } },
    );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
