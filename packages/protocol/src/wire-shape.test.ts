import { expect, test } from "bun:test";
import { PROTOCOL_VERSION } from "./constants.ts";
import { SyncEventSchema } from "./schemas/sync-event.ts";

/**
 * The wire shape, fingerprinted. If this fails you changed what clients receive:
 * bump PROTOCOL_VERSION, document it in docs/PROTOCOL.md, then record the new pair here.
 */
const RECORDED = {
  // 2: a delta's timestamp is the position it has read through, omitted changes included
  // (the schema's text is the same; what a cursor means changed).
  version: 2,
  // Re-recorded without a bump when one object with an optional `since` and `reset` became the
  // union DeltaEvent | ResetEvent: the schema's text changed, not what it accepts (a delta had
  // to carry `since` and a reset could not; `parse.test.ts` checks both).
  fingerprint: "3109369679c8a885",
};

test("the SyncEvent wire shape changes only with a protocol version bump", () => {
  const fingerprint = new Bun.CryptoHasher("sha256")
    .update(JSON.stringify(SyncEventSchema))
    .digest("hex")
    .slice(0, 16);
  expect({ version: PROTOCOL_VERSION, fingerprint }).toEqual(RECORDED);
});
