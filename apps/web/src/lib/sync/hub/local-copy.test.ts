import { describe, expect, test } from "bun:test";
import { STORED_WINDOW_VERSION } from "@rhizome/client";
import { intention, OTHER_SPACE, SPACE, stamp } from "@rhizome/protocol/testing";
import { clearLocalCopy, indexedDbCopy, readRecords } from "./local-copy.ts";

describe("the local copy", () => {
  test("keeps sound records and drops corrupt or old ones, saying why", () => {
    const dropped: string[] = [];
    const kept = readRecords(
      [
        [
          SPACE,
          {
            version: STORED_WINDOW_VERSION,
            spaceId: SPACE,
            cursor: stamp(2),
            window: [intention(2)],
          },
        ],
        [OTHER_SPACE, { version: 0, spaceId: OTHER_SPACE, cursor: stamp(1), window: [] }],
        ["00000000-0000-4000-8000-000000000003", "{not json"],
        [42, {}],
      ],
      (spaceId, outcome) =>
        dropped.push(`${spaceId}:${outcome.kind === "dropped" ? outcome.reason : ""}`),
    );
    expect([...kept.keys()]).toEqual([SPACE]);
    expect(kept.get(SPACE)?.cursor).toBe(stamp(2));
    expect(dropped).toEqual([
      `${OTHER_SPACE}:old-version`,
      "00000000-0000-4000-8000-000000000003:corrupt",
    ]);
  });

  test("without IndexedDB there is nothing to load, keep or clear, and nothing throws", async () => {
    const copy = indexedDbCopy("00000000-0000-4000-8000-0000000000b1");
    expect((await copy.load()).size).toBe(0);
    await copy.save([]);
    await clearLocalCopy("00000000-0000-4000-8000-0000000000b1");
  });
});
