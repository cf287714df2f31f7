/**
 * A gateway worker's access-log rows and unknown-hostname counts on their way to the primary process (which owns the
 * database): collected in memory and sent as one IPC message per batch (lib/gateway/worker.ts flushes every 100 ms,
 * at 200 rows, and on a graceful shutdown).
 *
 * Rows of the same client chain carry the same Buffer objects within one batch: the IPC serializer writes an object
 * it has already written in the same message as a back-reference, so a batch carries each distinct certificate once
 * instead of once per row (a new connection per request has new Buffers for the same chain), and the primary hashes
 * each of them once per batch (lib/domain/access-log memoises the hash per Buffer object).
 */
import type { AccessLogEntry } from "../domain/access-log";
import type { ToPrimary } from "./ipc";

/** unknown-hostname requests of one UTC hour (ms) */
interface UnknownCount {
  requests: number;
  sample: string;
}

export class LogBatch {
  private rows: AccessLogEntry[] = [];
  private unknownHours = new Map<number, UnknownCount>();
  /** this batch's chains by their memo key (the SHA-256 fingerprints of the certificates, leaf first) */
  private chains = new Map<string, readonly Uint8Array[]>();

  /** `keyOf`: a chain's content key when it is known without hashing (the TLS connection's chain), else undefined. */
  constructor(private readonly keyOf: (chain: readonly Uint8Array[]) => string | undefined = () => undefined) {}

  get size(): number {
    return this.rows.length;
  }

  add(entry: AccessLogEntry): void {
    const chain = entry.chain;
    if (chain?.length) {
      const key = this.keyOf(chain);
      if (key !== undefined) {
        const same = this.chains.get(key);
        if (same === undefined) this.chains.set(key, chain);
        else if (same !== chain) entry = { ...entry, chain: same };
      }
    }
    this.rows.push(entry);
  }

  unknown(hostname: string, now = Date.now()): void {
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    const c = this.unknownHours.get(hour);
    if (c) {
      c.requests++;
      c.sample = hostname;
    } else this.unknownHours.set(hour, { requests: 1, sample: hostname });
  }

  /** The messages for what was collected (at most one of each kind), and an empty batch from here on. */
  take(): ToPrimary[] {
    const out: ToPrimary[] = [];
    if (this.unknownHours.size) {
      out.push({ t: "unknown", counts: [...this.unknownHours].map(([hour, c]) => ({ hour, ...c })) });
      this.unknownHours = new Map();
    }
    if (this.rows.length) {
      out.push({ t: "log", rows: this.rows });
      this.rows = [];
      this.chains = new Map();
    }
    return out;
  }
}
