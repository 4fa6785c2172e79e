import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchTransport } from "@rhizome/client";
import { mulberry32, type ServerProcess, signupBeing } from "@rhizome/testkit";
import { PgFixture } from "../testing/pg-fixture.ts";
import { anyInstance, comparable, Reader, waitFor } from "../testing/reader.ts";
import { beingWithSpace, post } from "../testing/test-server.ts";

const WRITERS = 8;
const POSTS_PER_WRITER = 30;
const READERS = 6;

describe.skipIf(!process.env.DATABASE_URL)(
  "concurrent writers through two instances [postgres]",
  () => {
    const pg = new PgFixture();
    const instances: ServerProcess[] = [];

    beforeAll(async () => {
      await pg.open();
      instances.push(...(await pg.twoInstances()));
    }, 120_000);
    afterAll(() => pg.close());

    test(`${WRITERS} writers, readers dropping and resuming: every reader equals the database, the chain holds`, async () => {
      const seed = Number(process.env.TEST_SEED ?? Date.now() % 1_000_000);
      const random = mulberry32(seed);
      const urls = instances.map((instance) => instance.url);
      const owner = await beingWithSpace(urls[0] as string);
      const writers = await Promise.all(
        Array.from({ length: WRITERS }, async (_, n) => {
          const writer = await signupBeing(urls[n % 2] as string);
          await writer.api.api.spaces({ id: owner.space.id }).join.post();
          return writer;
        }),
      );
      const roaming = Array.from(
        { length: READERS },
        () =>
          new Reader(urls[0] as string, owner.token, owner.space.id, {
            transport: anyInstance(fetchTransport, urls, owner.token, random),
          }),
      );
      for (const reader of roaming) reader.start();

      let writing = true;
      // Drops at random moments, every reader in turn (a seeded shuffle per round).
      const chaos = (async () => {
        while (writing) {
          const order = roaming.map((reader) => ({ reader, key: random() }));
          order.sort((a, b) => a.key - b.key);
          for (const { reader } of order) {
            await Bun.sleep(5 + random() * 40);
            reader.client.dropConnection("test drop");
          }
        }
      })();
      await Promise.all(
        writers.map(async (writer, n) => {
          const mine = [];
          for (let k = 0; k < POSTS_PER_WRITER; k++) {
            mine.push(await post(writer.api, owner.space.id, `w${n} #${k}`));
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

      const live = await pg.truth.live(owner.space.id);
      const head = await pg.truth.head(owner.space.id);
      for (const [index, reader] of roaming.entries()) {
        await waitFor(
          () => pg.truth.caughtUp(owner.space.id, reader),
          () =>
            `reader ${index} (seed ${seed}) at ${reader.cursor} with ${reader.intentions.length}, head ${head} with ${live.length}`,
          60_000,
        );
        // Resets keep only the latest page; compare the part the reader holds.
        const verdict = {
          seed,
          reader: index,
          matchesDatabase: Bun.deepEquals(
            comparable(reader.intentions),
            live.slice(-reader.intentions.length),
          ),
          chainProblems: reader.auditChain(),
          reconnected: new Set(reader.frames.map((frame) => frame.connection)).size > 1,
        };
        expect(verdict).toEqual({
          seed,
          reader: index,
          matchesDatabase: true,
          chainProblems: [],
          reconnected: true,
        });
        reader.stop();
      }
    }, 180_000);
  },
);
