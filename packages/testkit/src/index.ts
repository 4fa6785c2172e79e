export * from "./api.ts";
export * from "./fault-proxy.ts";
export * from "./free-port.ts";
export * from "./pg-cluster.ts";
export * from "./prng.ts";
export * from "./scratch-db.ts";
export * from "./server-process.ts";
