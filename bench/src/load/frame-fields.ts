/**
 * The fields the load worker needs of one of our `space-delta` frames, read without scanning
 * the whole text more than once (the marker scan does that): with thousands of subscribers
 * on the same 2 cores as the server, the client's per-frame work is part of every latency.
 * The layout is the protocol's own (classify.ts): `since` right after `spaceId` in a delta,
 * none in a reset, which ends with `reset: true`; `timestamp` the last string of both.
 */
export type FrameFields = { spaceId?: string; since?: string; timestamp?: string; reset: boolean };

const stringAfter = (data: string, key: string, at: number): string | undefined => {
  if (at < 0) return undefined;
  const start = at + key.length;
  const end = data.indexOf('"', start);
  return end < 0 ? undefined : data.slice(start, end);
};

const SPACE_ID = '"spaceId":"';
const SINCE = '"since":"';
const TIMESTAMP = '"timestamp":"';
const RESET_END = ',"reset":true}';

export function frameFields(data: string): FrameFields {
  // The delta's own keys come first: its spaceId before any intention's (they carry the same).
  const spaceAt = data.indexOf(SPACE_ID);
  const spaceId = stringAfter(data, SPACE_ID, spaceAt);
  const afterSpace = spaceAt < 0 ? 0 : spaceAt + SPACE_ID.length + (spaceId?.length ?? 0) + 2;
  const since = data.startsWith(SINCE, afterSpace)
    ? stringAfter(data, SINCE, afterSpace)
    : undefined;
  const timestamp = stringAfter(data, TIMESTAMP, data.lastIndexOf(TIMESTAMP));
  return { spaceId, since, timestamp, reset: data.endsWith(RESET_END) };
}
