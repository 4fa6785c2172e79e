// A single-page app: no server rendering, no prerendering; the server falls back to 200.html.
export const ssr = false;
export const prerender = false;
