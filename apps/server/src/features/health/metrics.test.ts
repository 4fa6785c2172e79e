import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { describeEachDriver } from "../../testing/databases.ts";
import { asErrorBody, TestApp } from "../../testing/test-app.ts";
import { bearerMatches, totalsOnly } from "./metrics-access.ts";

const TOKEN = "s3cret-metrics-token";

describe("totalsOnly", () => {
  test("keeps a histogram's buckets, drops series with any other label", () => {
    const text = [
      "# HELP rhizome_flush_duration_seconds Flush time",
      "# TYPE rhizome_flush_duration_seconds histogram",
      'rhizome_flush_duration_seconds_bucket{le="0.1"} 1',
      'rhizome_flush_duration_seconds_bucket{le="+Inf"} 2',
      "rhizome_flush_duration_seconds_sum 0.3",
      "rhizome_flush_duration_seconds_count 2",
      "",
      "# HELP nodejs_version_info Node.js version info.",
      "# TYPE nodejs_version_info gauge",
      'nodejs_version_info{version="v26.3.0",major="26"} 1',
      "",
      "# HELP rhizome_space_frames Frames per space, per bucket",
      "# TYPE rhizome_space_frames histogram",
      'rhizome_space_frames_bucket{space_id="a1",le="+Inf"} 1',
      "",
    ].join("\n");
    expect(totalsOnly(text)).toBe(
      [
        "# HELP rhizome_flush_duration_seconds Flush time",
        "# TYPE rhizome_flush_duration_seconds histogram",
        'rhizome_flush_duration_seconds_bucket{le="0.1"} 1',
        'rhizome_flush_duration_seconds_bucket{le="+Inf"} 2',
        "rhizome_flush_duration_seconds_sum 0.3",
        "rhizome_flush_duration_seconds_count 2",
        "",
        "",
        "",
      ].join("\n"),
    );
  });

  test("drops labelled series with their HELP and TYPE lines, keeps totals", () => {
    const text = [
      "# HELP rhizome_open_streams SSE streams open",
      "# TYPE rhizome_open_streams gauge",
      "rhizome_open_streams 3",
      "# HELP rhizome_space_streams Streams per space",
      "# TYPE rhizome_space_streams gauge",
      'rhizome_space_streams{space="a1"} 2',
      'rhizome_space_streams{space="b2"} 1',
      "",
    ].join("\n");
    expect(totalsOnly(text)).toBe(
      [
        "# HELP rhizome_open_streams SSE streams open",
        "# TYPE rhizome_open_streams gauge",
        "rhizome_open_streams 3",
        "",
      ].join("\n"),
    );
  });
});

describe("bearerMatches", () => {
  test("only the exact token, as a bearer token", () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    for (const header of [null, "", TOKEN, `Bearer ${TOKEN}x`, "Bearer ", `Basic ${TOKEN}`]) {
      expect(bearerMatches(header, TOKEN)).toBe(false);
    }
  });
});

describeEachDriver("GET /metrics", (handle) => {
  let open: TestApp;
  let guarded: TestApp;

  beforeAll(async () => {
    open = await TestApp.create(handle.database);
    guarded = await TestApp.create(handle.database, { metricsToken: TOKEN });
  });
  afterAll(async () => {
    await open.close();
    await guarded.close();
  });

  test("with no METRICS_TOKEN, anyone gets the totals and histograms, and no other label", async () => {
    const response = await open.request("GET", "/metrics");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("rhizome_open_streams ");
    expect(text).toContain("process_cpu_seconds_total ");
    expect(text).toContain('rhizome_flush_duration_seconds_bucket{le="+Inf"} ');
    expect(text).not.toMatch(/^[a-z_]+\{(?!le=")/m);
  });

  test("with METRICS_TOKEN, no token or a wrong one is a 401 in the contract's shape", async () => {
    for (const token of [undefined, "wrong", `${TOKEN} `.repeat(2)]) {
      const response = await guarded.request("GET", "/metrics", token ? { token } : {});
      expect(response.status).toBe(401);
      expect(asErrorBody(await response.text()).error.code).toBe("unauthorized");
    }
    const basic = await guarded.request("GET", "/metrics", {
      headers: { authorization: `Basic ${btoa(`x:${TOKEN}`)}` },
    });
    expect(basic.status).toBe(401);
  });

  test("with METRICS_TOKEN, the right bearer token gets everything", async () => {
    const response = await guarded.request("GET", "/metrics", { token: TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/plain");
    const text = await response.text();
    for (const name of ["rhizome_open_streams ", "rhizome_first_frame_duration_seconds_count "]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/^nodejs_version_info\{/m);
  });
});
