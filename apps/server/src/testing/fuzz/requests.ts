import { HEADERS } from "@rhizome/protocol";
import fc from "fast-check";
import { type Fields, IDS, type RouteSpec, type World } from "./routes.ts";
import {
  badUuid,
  contentTypes,
  deeplyNested,
  encodePathSegment,
  headerSafe,
  idCase,
  junk,
  notAString,
  notJson,
  oversized,
  respell,
} from "./values.ts";

/**
 * Test-only: requests that are valid except for at least one corruption, so each must be
 * refused and none may change the database.
 */

type Part = "path" | "body" | "auth" | "query";

export type FuzzRequest = {
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: { bytes: Uint8Array; chunked: boolean } | undefined;
};

const encoder = new TextEncoder();
const bytesOf = (value: string | Uint8Array) =>
  typeof value === "string" ? encoder.encode(value) : value;

function corruptions(route: RouteSpec): Part[] {
  const parts: Part[] = [];
  if (route.path.includes("{")) parts.push("path");
  if (route.method !== "GET") parts.push("body");
  if (route.auth) parts.push("auth");
  if (route.query) parts.push("query");
  return parts;
}

const badAuth = fc.oneof(
  fc.constant({}),
  junk.map((token) => ({ authorization: headerSafe(`Bearer ${token}`) })),
  fc.constant({ authorization: "Bearer " }),
  fc.constant({ authorization: "Basic dXNlcjpwYXNz" }),
  fc
    .base64String({ minLength: 44, maxLength: 44 })
    .map((token) => ({ authorization: `Bearer ${token}` })),
  junk.map((token) => ({ cookie: headerSafe(`rz_session=${token}`) })),
);

/** `bad` with every "$space" in it made the fixture's public space: one corruption, not two. */
function withSpace(bad: unknown, world: World): unknown {
  if (typeof bad !== "object" || bad === null) return bad;
  const text = JSON.stringify(bad).replaceAll('"$space"', JSON.stringify(world.spaces[0]));
  return JSON.parse(text);
}

/** A body corrupted at the root (not an object, not JSON, too big) or in one field. */
function badBody(
  route: RouteSpec,
  world: World,
  mask: boolean[],
): fc.Arbitrary<{ label: string; bytes: Uint8Array; chunked: boolean }> {
  const raw = (label: string, arbitrary: fc.Arbitrary<string | Uint8Array>) =>
    arbitrary.map((value) => ({ label, bytes: bytesOf(value), chunked: false }));
  const always = [
    raw("not JSON", notJson),
    oversized.map(({ bytes, chunked }) => ({
      label: `oversized${chunked ? ", chunked" : ""}`,
      bytes,
      chunked,
    })),
  ];
  const spec = route.body;
  // Nested arrays are valid JSON: only a route that wants an object must refuse them.
  if (!spec) return fc.oneof(...always);
  always.push(raw("deeply nested", deeplyNested));
  const field = (bad: Fields, weight: number) =>
    Object.entries(bad).map(([name, value]) => ({
      weight,
      arbitrary: fc
        .record({
          value,
          drop: fc.boolean(),
          noise: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), {
            maxKeys: 2,
          }),
        })
        .map(({ value: bad, drop, noise }) => {
          const body: Record<string, unknown> = { ...noise, ...validBody(spec, world, mask) };
          if (drop && spec.required.includes(name)) delete body[name];
          else body[name] = bad === "$owner" ? world.ownerHandle : withSpace(bad, world);
          return {
            label: `body ${name}`,
            bytes: encoder.encode(JSON.stringify(body)),
            chunked: false,
          };
        }),
    }));
  return fc.oneof(
    ...always.map((arbitrary) => ({ weight: 2, arbitrary })),
    {
      weight: 2,
      arbitrary: raw(
        "not an object",
        notAString
          .filter((value) => typeof value !== "object" || value === null || Array.isArray(value))
          .map((value) => JSON.stringify(value)),
      ),
    },
    ...field(spec.bad, 6),
    ...field(spec.costly ?? {}, 1),
  );
}

/** The route's valid body, its ids spelled in the letter case `mask` gives. */
function validBody(spec: NonNullable<RouteSpec["body"]>, world: World, mask: boolean[]) {
  return Object.fromEntries(
    Object.entries(spec.valid(world)).map(([name, value]) => [name, respell(value, mask)]),
  );
}

function fillPath(
  route: RouteSpec,
  world: World,
  corrupt: boolean,
): fc.Arbitrary<{ path: string; label: string }> {
  const slots = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as keyof typeof IDS);
  const valid = slots.map((slot) =>
    fc
      .tuple(fc.constantFrom(...world[IDS[slot]]), idCase)
      .map(([id, mask]) => respell(id, mask) as string),
  );
  return fc
    .tuple(
      fc.tuple(...valid),
      fc.nat({ max: Math.max(0, slots.length - 1) }),
      fc.oneof(
        badUuid.map((value) => (typeof value === "string" ? value : JSON.stringify(value))),
        fc.uuid(),
      ),
      fc.boolean(),
    )
    .map(([ids, victim, bad, raw]) => {
      let index = 0;
      let label = "";
      const path = route.path.replace(/\{\w+\}/g, () => {
        const at = index++;
        if (corrupt && at === victim) {
          label = `path ${slots[at]}=${JSON.stringify(bad).slice(0, 40)}`;
          return raw ? bad.toWellFormed() : encodePathSegment(bad);
        }
        return ids[at] as string;
      });
      return { path, label };
    });
}

const validAuth = (world: World) =>
  fc.constantFrom(
    { authorization: `Bearer ${world.ownerToken}` },
    { authorization: `Bearer ${world.otherToken}` },
  );

/** One bad query parameter (or Last-Event-ID header) of a route that takes a query. */
function badQuery(route: RouteSpec): fc.Arbitrary<{ name: string; value: string }> {
  const bad = route.query?.bad ?? {};
  return fc.oneof(
    ...Object.entries(bad).map(([name, value]) => value.map((text) => ({ name, value: text }))),
  );
}

const none = fc.constant(undefined);

/** One corrupted request for `route`, plus harmless noise (content types, stray parameters). */
export function fuzzRequest(route: RouteSpec, world: World): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(fc.constantFrom(...corruptions(route)), idCase).chain(([part, mask]) =>
    fc
      .record({
        filled: fillPath(route, world, part === "path"),
        body: part === "body" ? badBody(route, world, mask) : none,
        auth: part === "auth" ? badAuth : validAuth(world),
        queryPart: part === "query" ? badQuery(route) : none,
        contentType: contentTypes,
        noise: fc.option(junk, { nil: undefined }),
      })
      .map(({ filled, body, auth, queryPart, contentType, noise }) => {
        const headers: Record<string, string> = { ...auth };
        if (contentType !== "") headers["content-type"] = contentType;
        const query = new URLSearchParams();
        for (const [name, value] of Object.entries(route.query?.valid(world) ?? {})) {
          query.set(name, respell(value, mask) as string);
        }
        if (noise !== undefined) query.set("_noise", noise);
        if (queryPart?.name === HEADERS.lastEventId) {
          headers[HEADERS.lastEventId.toLowerCase()] = headerSafe(queryPart.value);
        } else if (queryPart) {
          query.set(queryPart.name, queryPart.value);
        }
        const unchanged = route.body && {
          bytes: encoder.encode(JSON.stringify(validBody(route.body, world, mask))),
          chunked: false,
        };
        const label = [part, filled.label, body?.label, queryPart && `query ${queryPart.name}`]
          .filter(Boolean)
          .join(", ");
        const search = query.toString();
        const summary = `${route.method} ${filled.path} [${label}]`;
        return {
          label: summary,
          // fast-check prints counterexamples with this: the label, not 300 KiB of body.
          [fc.toStringMethod]: () => summary,
          method: route.method,
          url: `http://localhost${filled.path}${search ? `?${search}` : ""}`,
          headers,
          body: body ?? unchanged,
        };
      }),
  );
}

/** The Request for `app.handle`; a chunked body has no Content-Length. */
export function toRequest(fuzz: FuzzRequest): Request {
  const body = fuzz.body;
  const chunk = 16_384;
  const payload = !body
    ? undefined
    : body.chunked
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < body.bytes.length; at += chunk) {
              controller.enqueue(body.bytes.slice(at, at + chunk));
            }
            controller.close();
          },
        })
      : new Blob([body.bytes as Uint8Array<ArrayBuffer>]);
  return new Request(fuzz.url, {
    method: fuzz.method,
    headers: fuzz.headers,
    ...(payload ? { body: payload } : {}),
  });
}
