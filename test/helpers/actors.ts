import type { Actor } from "@/lib/domain/core/actor";

export const adminActor: Actor = { type: "user", id: null, label: "admin@test", role: "admin", permission: "edit", ip: "127.0.0.1" };
export const viewerActor: Actor = { type: "user", id: null, label: "viewer@test", role: "viewer", permission: "edit", ip: "127.0.0.1" };
export const readTokenActor: Actor = { type: "token", id: null, label: "token:read", role: "admin", permission: "read" };
