/**
 * Test support for every package: the fixtures (ids, the cursor stamper, the intention
 * factory) and the one in-memory table model. Not for production code.
 */
export * from "./fixtures.ts";
export * from "./history.ts";
export * from "./table.ts";
