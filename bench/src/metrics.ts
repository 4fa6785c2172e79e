/** Our server's Prometheus counters (GET /metrics), as name → value. */
export async function scrape(url: string): Promise<Record<string, number>> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const values: Record<string, number> = {};
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const [name, value] = line.split(" ");
    if (name && value !== undefined) values[name] = Number(value);
  }
  return values;
}

export function delta(after: Record<string, number>, before: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) out[name] = value - (before[name] ?? 0);
  return out;
}
