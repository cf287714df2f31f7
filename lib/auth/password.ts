import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { env } from "../env.mjs";

// argon2id (the library default, algorithm 2) with OWASP's recommended minimums.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_BUSY_MESSAGE = "The server is busy checking other sign-ins. Wait a moment and try again.";

/** Thrown when too many password checks are already waiting: the caller answers "busy" at once. */
export class PasswordBusyError extends Error {
  constructor() {
    super(PASSWORD_BUSY_MESSAGE);
    this.name = "PasswordBusyError";
  }
}

/**
 * Bounds argon2 work (each hash takes ~19 MiB and tens of ms of a core): at most `limit` run at once and at
 * most `queue` wait; beyond that callers are refused immediately instead of queueing without end, so a flood
 * of unauthenticated sign-ins cannot push a real sign-in into seconds of waiting or the process out of memory.
 * `priority` callers (sign-ins from an address that signed in successfully before) wait in their own queue,
 * served first, so such a flood does not shut out the people who normally use the console. Priority depends
 * on the source only, never on the account, so "busy" answers reveal nothing about which accounts exist.
 */
export class Semaphore {
  private running = 0;
  private waiting: (() => void)[] = [];
  private waitingFirst: (() => void)[] = [];
  constructor(
    readonly limit: number,
    readonly queue: number,
  ) {}

  get active(): number {
    return this.running;
  }
  get queued(): number {
    return this.waiting.length + this.waitingFirst.length;
  }

  async run<T>(fn: () => Promise<T>, opts: { priority?: boolean } = {}): Promise<T> {
    if (this.running >= this.limit) {
      const line = opts.priority ? this.waitingFirst : this.waiting;
      if (line.length >= this.queue) throw new PasswordBusyError();
      await new Promise<void>((resolve) => line.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

const g = globalThis as { __portcullisArgon2?: Semaphore };
export function argon2Slots(): Semaphore {
  if (!g.__portcullisArgon2) {
    const { PORTCULLIS_ARGON2_CONCURRENCY, PORTCULLIS_ARGON2_QUEUE } = env();
    const limit = PORTCULLIS_ARGON2_CONCURRENCY ?? Math.max(1, Math.min(4, availableParallelism()));
    // A short queue: a waiter behind `queue` others waits about queue/limit hash times (4 × ~50 ms by default).
    g.__portcullisArgon2 = new Semaphore(limit, PORTCULLIS_ARGON2_QUEUE ?? 4 * limit);
  }
  return g.__portcullisArgon2;
}

export function hashPassword(password: string): Promise<string> {
  return argon2Slots().run(() => hash(password, OPTIONS));
}

/** False for a wrong password or an unusable hash; throws PasswordBusyError when the server is saturated. */
export async function verifyPassword(hashed: string | null | undefined, password: string, opts: { priority?: boolean } = {}): Promise<boolean> {
  if (!hashed) return false;
  return argon2Slots().run(async () => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  }, opts);
}

/** A dummy hash so that unknown emails cost the same time as wrong passwords. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword("portcullis-timing-equaliser").catch((err) => {
    dummy = undefined;
    throw err;
  }));
}
