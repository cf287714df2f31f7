export * from "./ip";
export * from "./duration";
export * from "./rules";
export * from "./schema";
export * from "./evaluate";
export * from "./describe";
export * from "./enforceable";
