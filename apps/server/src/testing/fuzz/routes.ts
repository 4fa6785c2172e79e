import { HEADERS } from "@rhizome/protocol";
import fc from "fast-check";
import {
  badColor,
  badHandle,
  badPassword,
  badText,
  badUuid,
  badVisibility,
  junk,
  notAString,
} from "./values.ts";

/** Test-only: every route of DESIGN §7, with a valid request and bad values for each part. */

/** Ids and tokens of the fuzz suite's fixture. */
export type World = {
  ownerToken: string;
  otherToken: string;
  ownerHandle: string;
  password: string;
  spaces: string[];
  intentions: string[];
  beings: string[];
};

export type Fields = Record<string, fc.Arbitrary<unknown>>;

export type RouteSpec = {
  method: string;
  /** `{space}`, `{intention}`, `{being}` are filled with fixture ids, or corrupted. */
  path: string;
  auth: boolean;
  /** A valid body, and a bad value for each field; absent for routes without a body. */
  body?: {
    valid: (world: World) => Record<string, unknown>;
    /** Fields whose absence is itself a corruption. */
    required: string[];
    bad: Fields;
    /** Well-formed but wrong values that cost a password hash: drawn rarely. */
    costly?: Fields;
  };
  /** Query parameters, and bad values for them (`Last-Event-ID` is sent as that header). */
  query?: {
    valid: (world: World) => Record<string, string>;
    bad: Record<string, fc.Arbitrary<string>>;
  };
};

const text = (max: number) => badText(max);
export const IDS = { space: "spaces", intention: "intentions", being: "beings" } as const;

export const ROUTES: RouteSpec[] = [
  {
    method: "POST",
    path: "/api/auth/signup",
    auth: false,
    body: {
      valid: () => ({ handle: "fuzz_newcomer", password: "long enough pw", name: "Fuzz" }),
      required: ["handle", "password"],
      bad: { handle: badHandle, password: badPassword, name: text(80) },
      costly: { handle: fc.constant("$owner") },
    },
  },
  {
    method: "POST",
    path: "/api/auth/signin",
    auth: false,
    body: {
      valid: (world) => ({ handle: world.ownerHandle, password: world.password }),
      required: ["handle", "password"],
      bad: {
        handle: fc.oneof(notAString, fc.string({ minLength: 65, maxLength: 80 })),
        password: fc.oneof(notAString, fc.string({ minLength: 201, maxLength: 220 })),
      },
      costly: {
        password: fc.string({ minLength: 8, maxLength: 20 }),
        handle: fc.constant("nobody_here"),
      },
    },
  },
  { method: "POST", path: "/api/auth/signout", auth: true },
  { method: "GET", path: "/api/me", auth: true },
  {
    method: "PATCH",
    path: "/api/me",
    auth: true,
    body: {
      valid: () => ({ name: "Fuzzed", color: "#123456" }),
      required: [],
      bad: { name: text(80), color: badColor },
    },
  },
  { method: "GET", path: "/api/beings/{being}", auth: true },
  {
    method: "GET",
    path: "/api/beings",
    auth: true,
    query: { valid: () => ({ handle: "fuzz_target" }), bad: { handle: junk } },
  },
  {
    method: "POST",
    path: "/api/spaces",
    auth: true,
    body: {
      valid: () => ({ name: "Fuzz", visibility: "public" }),
      required: ["name"],
      bad: { name: text(80), visibility: badVisibility },
    },
  },
  { method: "GET", path: "/api/spaces", auth: true },
  { method: "GET", path: "/api/spaces/{space}", auth: true },
  { method: "POST", path: "/api/spaces/{space}/join", auth: true },
  {
    method: "POST",
    path: "/api/spaces/{space}/members",
    auth: true,
    body: {
      valid: (world) => ({ beingId: world.beings[1] }),
      required: ["beingId"],
      bad: { beingId: badUuid },
    },
  },
  { method: "DELETE", path: "/api/spaces/{space}/members/{being}", auth: true },
  { method: "GET", path: "/api/spaces/{space}/beings", auth: true },
  {
    method: "POST",
    path: "/api/spaces/{space}/intentions",
    auth: true,
    body: {
      valid: () => ({ id: crypto.randomUUID(), content: "fuzz" }),
      required: ["content"],
      bad: { id: badUuid, content: text(4000) },
    },
  },
  {
    method: "GET",
    path: "/api/spaces/{space}/intentions",
    auth: true,
    query: { valid: () => ({ limit: "10" }), bad: { before: junk, limit: junk } },
  },
  {
    method: "PATCH",
    path: "/api/intentions/{intention}",
    auth: true,
    body: {
      valid: () => ({ content: "edited by fuzz" }),
      required: ["content"],
      bad: { content: text(4000) },
    },
  },
  { method: "DELETE", path: "/api/intentions/{intention}", auth: true },
  {
    method: "GET",
    path: "/api/stream",
    auth: true,
    query: {
      valid: (world) => ({ spaceId: world.spaces[0] as string }),
      bad: { spaceId: junk, since: junk, [HEADERS.lastEventId]: junk },
    },
  },
  {
    method: "POST",
    path: "/api/stream",
    auth: true,
    body: {
      valid: (world) => ({ spaces: [{ spaceId: world.spaces[0] }] }),
      required: ["spaces"],
      bad: {
        spaces: fc.oneof(
          notAString,
          fc.constant([]),
          badUuid.map((spaceId) => [{ spaceId }]),
          junk.map((since) => [{ spaceId: "$space", since }]),
          fc
            .oneof(
              fc.integer({ max: 0 }),
              fc.integer({ min: 101 }),
              fc.double({ noInteger: true }),
              junk,
            )
            .map((page) => [{ spaceId: "$space", page }]),
          fc.constant([{ spaceId: "$space" }, { spaceId: "$space" }]),
        ),
      },
    },
  },
  {
    method: "PUT",
    path: "/api/spaces/{space}/read",
    auth: true,
    body: {
      valid: () => ({ cursor: "2099-01-01T00:00:00.000000Z" }),
      required: ["cursor"],
      bad: { cursor: fc.oneof(notAString, junk) },
    },
  },
];
