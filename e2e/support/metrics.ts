import type { Stack } from "./stack.ts";

/** The first server's count of open SSE streams (`rhizome_open_streams`, shown without a token). */
export async function openStreams(stack: Stack): Promise<number> {
  const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
  const line = text.split("\n").find((row) => row.startsWith("rhizome_open_streams "));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}
