import { describe, expect, test } from "bun:test";
import { asSentence, rateLimitedSentence, waitWording } from "./wait.ts";

describe("waitWording", () => {
  test("rounds up: never says less than the server asked", () => {
    expect(waitWording(0)).toBe("a moment");
    expect(waitWording(1000)).toBe("a moment");
    expect(waitWording(1001)).toBe("2 seconds");
    expect(waitWording(30_000)).toBe("30 seconds");
    expect(waitWording(59_500)).toBe("a minute");
    expect(waitWording(60_000)).toBe("a minute");
    expect(waitWording(61_000)).toBe("2 minutes");
    expect(waitWording(45 * 60_000)).toBe("45 minutes");
    expect(waitWording(60 * 60_000)).toBe("about an hour");
    expect(waitWording(3 * 60 * 60_000)).toBe("about 3 hours");
  });
});

describe("rateLimitedSentence", () => {
  test("says how long when Retry-After said, and still helps when it did not", () => {
    expect(rateLimitedSentence(30_000)).toBe("Too many attempts. Try again in 30 seconds.");
    expect(rateLimitedSentence(undefined)).toBe(
      "Too many attempts. Wait a little, then try again.",
    );
  });
});

describe("asSentence", () => {
  test("capitalises and ends with a full stop, once", () => {
    expect(asSentence('the handle "ada" is taken')).toBe('The handle "ada" is taken.');
    expect(asSentence("wrong handle or password")).toBe("Wrong handle or password.");
    expect(asSentence("Already fine.")).toBe("Already fine.");
    expect(asSentence("Really?")).toBe("Really?");
    expect(asSentence("")).toBe("");
  });
});
