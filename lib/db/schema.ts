/**
 * Every table, one file per feature under ./schema (their column helpers are in ./schema/columns). This is the
 * module drizzle-kit reads (drizzle.config.ts) and the one the code imports tables from.
 */
export * from "./schema/accounts";
export * from "./schema/instance";
export * from "./schema/certificates";
export * from "./schema/applications";
export * from "./schema/identity";
export * from "./schema/access-log";
