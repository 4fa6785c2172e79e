export * from "./multi-sync-client.ts";
export * from "./options.ts";
export * from "./sse-parser.ts";
export * from "./stored-window.ts";
export * from "./stream-driver.ts";
export * from "./sync-client.ts";
export * from "./transport.ts";
