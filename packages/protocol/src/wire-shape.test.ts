import { expect, test } from "bun:test";
import { PROTOCOL_VERSION } from "./constants.ts";
import { SyncEventSchema } from "./schemas/sync-event.ts";

/**
 * The wire shape, fingerprinted. If this fails you changed what clients receive:
 * bump PROTOCOL_VERSION, document it in docs/PROTOCOL.md, then record the new pair here.
 */
const RECORDED = { version: 1, fingerprint: "5fbc928b7aa570ca" };

test("the SyncEvent wire shape changes only with a protocol version bump", () => {
  const fingerprint = new Bun.CryptoHasher("sha256")
    .update(JSON.stringify(SyncEventSchema))
    .digest("hex")
    .slice(0, 16);
  expect({ version: PROTOCOL_VERSION, fingerprint }).toEqual(RECORDED);
});
