export * from "./options.ts";
export * from "./sse-parser.ts";
export * from "./sync-client.ts";
export * from "./transport.ts";
