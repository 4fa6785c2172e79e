import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchMultiTransport, type MultiFrameRecord, MultiSyncClient } from "@rhizome/client";
import { mulberry32, type ServerProcess, signupBeing } from "@rhizome/testkit";
import { PgFixture } from "../testing/pg-fixture.ts";
import { anyInstance, comparable, FAST_RECONNECT, waitFor } from "../testing/reader.ts";
import { beingWithSpace, post } from "../testing/test-server.ts";

const WRITERS = 8;
const SPACES = 3;
const POSTS_PER_WRITER = 24;
const READERS = 4;

/** Per space: every frame chains, nothing is delivered twice, no reset after the first frame. */
function auditChains(frames: MultiFrameRecord[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, Set<string>>();
  const firstOf = new Map<string, number>();
  for (const [index, frame] of frames.entries()) {
    const { event, outcome } = frame;
    if (outcome.kind !== "applied" && outcome.kind !== "reset") {
      problems.push(`frame ${index}: ${outcome.kind} ${JSON.stringify(outcome)}`);
      continue;
    }
    if (!event) continue;
    const spaceSeen = seen.get(event.spaceId) ?? new Set<string>();
    seen.set(event.spaceId, spaceSeen);
    if (outcome.kind === "reset") {
      if (firstOf.get(event.spaceId) === frame.connection) {
        problems.push(`frame ${index}: reset mid-stream for ${event.spaceId}`);
      }
      spaceSeen.clear();
      for (const item of event.created) spaceSeen.add(`${item.id}@${item.updatedAt}`);
    } else {
      for (const item of [...event.created, ...event.updated]) {
        const key = `${item.id}@${item.updatedAt}`;
        if (spaceSeen.has(key)) problems.push(`frame ${index}: ${key} delivered twice`);
        spaceSeen.add(key);
      }
    }
    firstOf.set(event.spaceId, frame.connection);
  }
  return problems;
}

describe.skipIf(!process.env.DATABASE_URL)(
  "concurrent writers over many spaces, read through multi-space streams [postgres]",
  () => {
    const pg = new PgFixture();
    const instances: ServerProcess[] = [];

    beforeAll(async () => {
      await pg.open();
      instances.push(...(await pg.twoInstances()));
    }, 120_000);
    afterAll(() => pg.close());

    test(`${WRITERS} writers over ${SPACES} spaces, readers dropping and resuming with their cursors: every reader equals the database`, async () => {
      const seed = Number(process.env.TEST_SEED ?? Date.now() % 1_000_000);
      const random = mulberry32(seed);
      const urls = instances.map((instance) => instance.url);
      const owner = await beingWithSpace(urls[0] as string);
      const spaceIds = [owner.space.id];
      for (let n = 1; n < SPACES; n++) {
        const { data } = await owner.api.api.spaces.post({ name: `many ${n}` });
        spaceIds.push(data?.space.id as string);
      }
      const writers = await Promise.all(
        Array.from({ length: WRITERS }, async (_, n) => {
          const writer = await signupBeing(urls[n % 2] as string);
          for (const spaceId of spaceIds) await writer.api.api.spaces({ id: spaceId }).join.post();
          return writer;
        }),
      );
      const readers = Array.from({ length: READERS }, () => {
        const frames: MultiFrameRecord[] = [];
        const client = new MultiSyncClient({
          spaces: spaceIds.map((spaceId) => ({ spaceId })),
          transport: anyInstance(fetchMultiTransport, urls, owner.token, random),
          refetchSpaces: async () => spaceIds,
          settings: FAST_RECONNECT,
        });
        client.onFrame((record) => frames.push(record));
        client.start();
        return { client, frames };
      });

      let writing = true;
      const chaos = (async () => {
        while (writing) {
          for (const reader of readers) {
            await Bun.sleep(5 + random() * 40);
            reader.client.dropConnection("test drop");
          }
        }
      })();
      await Promise.all(
        writers.map(async (writer, n) => {
          const mine: { id: string }[] = [];
          for (let k = 0; k < POSTS_PER_WRITER; k++) {
            const spaceId = spaceIds[(n + k) % SPACES] as string;
            mine.push(await post(writer.api, spaceId, `w${n} #${k}`));
            if (k % 7 === 3)
              await writer.api.api
                .intentions({ id: mine[k - 1]?.id as string })
                .patch({ content: `w${n} #${k - 1} edited` });
            if (k % 11 === 5)
              await writer.api.api.intentions({ id: mine[k - 2]?.id as string }).delete();
          }
        }),
      );
      writing = false;
      await chaos;

      for (const spaceId of spaceIds) {
        const live = await pg.truth.live(spaceId);
        const head = await pg.truth.head(spaceId);
        for (const [index, { client }] of readers.entries()) {
          await waitFor(
            () => client.space(spaceId)?.cursor === head,
            () =>
              `reader ${index} (seed ${seed}) in ${spaceId} at ${client.space(spaceId)?.cursor}, head ${head}`,
            60_000,
          );
          // Resets keep only the latest page; compare the part the reader holds.
          const held = client.intentions(spaceId);
          expect({
            seed,
            reader: index,
            spaceId,
            matches: Bun.deepEquals(comparable(held), live.slice(-held.length)),
          }).toEqual({
            seed,
            reader: index,
            spaceId,
            matches: true,
          });
        }
      }
      for (const [index, { client, frames }] of readers.entries()) {
        expect({ seed, reader: index, problems: auditChains(frames) }).toEqual({
          seed,
          reader: index,
          problems: [],
        });
        expect(new Set(frames.map((frame) => frame.connection)).size).toBeGreaterThan(1);
        client.stop();
      }
    }, 180_000);
  },
);
