/**
 * Where the gateway's sign-in flow gets its data: the login methods (with their client secrets opened) and the
 * one-use pending sign-ins. The process that owns the database reads and writes the database; gateway worker
 * processes ask it over IPC (`IdentityCall`, answered by `runIdentityCall` in lib/gateway/cluster.ts).
 */
import { loginMethodsForGateway, type GatewayLoginMethod } from "../../domain/login-methods";
import { saveSignIn, takeSignIn, type PendingSignIn, type TakenSignIn } from "../../domain/login-methods/sign-ins";

export type { GatewayLoginMethod, PendingSignIn, TakenSignIn };

export interface IdentitySource {
  loginMethods(): Promise<GatewayLoginMethod[]>;
  saveSignIn(s: PendingSignIn): Promise<void>;
  /** reads and deletes, for the browser that started it: a second call for the same id answers `unknown` */
  takeSignIn(id: string, browserHash: string): Promise<TakenSignIn>;
}

export const databaseIdentitySource: IdentitySource = { loginMethods: loginMethodsForGateway, saveSignIn, takeSignIn };

/** One identity request from a worker to the primary (structured-clone safe). */
export type IdentityCall = { op: "methods" } | { op: "save"; signIn: PendingSignIn } | { op: "take"; id: string; browserHash: string };

export function runIdentityCall(source: IdentitySource, call: IdentityCall): Promise<unknown> {
  switch (call.op) {
    case "methods":
      return source.loginMethods();
    case "save":
      return source.saveSignIn(call.signIn).then(() => null);
    case "take":
      return source.takeSignIn(call.id, call.browserHash);
  }
}

/** An IdentitySource that forwards every call (a worker's, over IPC). */
export function forwardingIdentitySource(request: (call: IdentityCall) => Promise<unknown>): IdentitySource {
  return {
    loginMethods: () => request({ op: "methods" }) as Promise<GatewayLoginMethod[]>,
    saveSignIn: (signIn) => request({ op: "save", signIn }).then(() => undefined),
    takeSignIn: (id, browserHash) => request({ op: "take", id, browserHash }) as Promise<TakenSignIn>,
  };
}
