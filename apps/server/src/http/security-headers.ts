import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { Elysia } from "elysia";

/** Response header names of the browser protections. */
export const SECURITY_HEADERS = {
  contentSecurityPolicy: "content-security-policy",
  contentTypeOptions: "x-content-type-options",
  referrerPolicy: "referrer-policy",
  frameOptions: "x-frame-options",
} as const;

/**
 * One policy for everything we serve: our own origin only, inline styles allowed (Svelte
 * transitions and the docs page write them), and no framing. apps/web's `kit.csp` emits the
 * same as a `<meta>`, which cannot carry frame-ancestors: the header does.
 */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...scriptHashes].join(" "),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const EXECUTABLE_TYPE = /^\s*$|^\s*(module|(text|application)\/(java|ecma)script)\s*$/i;

/** CSP source expressions for the page's inline scripts, hashed exactly as written. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const [, attributes = "", body = ""] of html.matchAll(SCRIPT)) {
    if (/\ssrc\s*=/i.test(` ${attributes}`)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]*)/i.exec(attributes)?.[1] ?? "";
    if (!EXECUTABLE_TYPE.test(type)) continue;
    hashes.push(`'sha256-${createHash("sha256").update(body).digest("base64")}'`);
  }
  return hashes;
}

/** Per HTML file (and its modification time), read once: the built app does not change. */
const htmlPolicies = new Map<string, { mtimeMs: number; policy: string }>();

/** The policy for one HTML page of the built app, allowing its own inline bootstrap. */
export function htmlPolicy(file: string): string {
  const { mtimeMs } = statSync(file);
  const cached = htmlPolicies.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached.policy;
  const policy = contentSecurityPolicy(inlineScriptHashes(readFileSync(file, "utf8")));
  htmlPolicies.set(file, { mtimeMs, policy });
  return policy;
}

const BASE = {
  [SECURITY_HEADERS.contentSecurityPolicy]: contentSecurityPolicy(),
  [SECURITY_HEADERS.contentTypeOptions]: "nosniff",
  [SECURITY_HEADERS.referrerPolicy]: "strict-origin-when-cross-origin",
  [SECURITY_HEADERS.frameOptions]: "DENY",
};

/** Sets the headers on every response, before any other hook can answer early. */
export const securityHeaders = new Elysia({ name: "security-headers" }).onRequest(({ set }) => {
  Object.assign(set.headers, BASE);
});
