import { createHash, timingSafeEqual } from "node:crypto";
import { BEARER_PREFIX } from "@rhizome/protocol";

/** True when `header` is `Bearer <token>`; compared in constant time (digests of equal length). */
export function bearerMatches(header: string | null, token: string): boolean {
  if (!header?.startsWith(BEARER_PREFIX)) return false;
  const given = createHash("sha256").update(header.slice(BEARER_PREFIX.length).trim()).digest();
  return timingSafeEqual(given, createHash("sha256").update(token).digest());
}

/** The one label a public series may carry: a histogram's bucket bound, which names nothing. */
const PUBLIC_LABELS = new Set(["le"]);

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g;

/** Whether a sample line is public: every label it carries is a bucket bound. */
function isTotal(line: string): boolean {
  const labels = SAMPLE.exec(line)?.[2];
  if (!labels) return true;
  return [...labels.matchAll(LABEL)].every(([, name]) => PUBLIC_LABELS.has(name as string));
}

/**
 * Prometheus text with every series that carries a label other than `le` dropped (per space,
 * per runtime version, per heap space), and a family's HELP and TYPE lines with its last
 * series: what anyone may see when no METRICS_TOKEN is configured. Totals and histograms stay.
 */
export function totalsOnly(text: string): string {
  const kept: string[] = [];
  let family: string[] = [];
  let samples = 0;
  let shown = 0;
  const close = () => {
    if (samples === 0 || shown > 0) kept.push(...family);
    family = [];
    samples = 0;
    shown = 0;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("# HELP ") || line.trim() === "") close();
    if (line.trim() === "") kept.push(line);
    else if (line.startsWith("#")) family.push(line);
    else {
      samples++;
      if (isTotal(line)) {
        shown++;
        family.push(line);
      }
    }
  }
  close();
  return kept.join("\n");
}
