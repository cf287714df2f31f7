/**
 * A gateway worker's access-log rows and unknown-hostname counts on their way to the primary process (which owns the
 * database): collected in memory and sent as one IPC message per batch (lib/gateway/worker.ts flushes every 250 ms,
 * at 200 rows, and on a graceful shutdown).
 *
 * The rows travel as the COPY text lines the primary writes (lib/domain/access-log/line), identical requests of the same
 * second folded into one row (lib/domain/access-log/fold), one string per batch, with
 * each distinct certificate of the batch once (SHA-256 hex and DER): the primary concatenates and COPYs them instead of
 * deserialising, mapping and hashing one object per row. A TLS connection's chain has its SHA-256 values already (the
 * fingerprints Node computed, lib/gateway/decide `chainSha256`); any other chain is hashed once per Buffer.
 */
import { chainLiteral, loggedChain, MAX_LOGGED_CHAIN, sha256Hex, type AccessLogEntry } from "../domain/access-log";
import { FoldedRows } from "../domain/access-log/fold";
import { accessLogRest, sameRest } from "../domain/access-log/line";
import type { ToPrimary } from "./ipc";

/** unknown-hostname requests of one UTC hour (ms) */
interface UnknownCount {
  requests: number;
  sample: string;
}

/** A chain as logged: its chain_sha256 literal and SHA-256 values (built once per chain object). */
interface LoggedChain {
  literal: string;
  hexes: readonly string[];
}
const logged = new WeakMap<readonly Uint8Array[], LoggedChain>();

export class LogBatch {
  private rows = new FoldedRows();
  private unknownHours = new Map<number, UnknownCount>();
  /** this batch's certificates: SHA-256 hex → DER */
  private certs = new Map<string, Uint8Array>();
  /** chains whose certificates are in `certs` already */
  private chains = new WeakSet<readonly Uint8Array[]>();

  /** `hexOf`: a chain's SHA-256 values when they are known without hashing (the TLS connection's chain), else undefined. */
  constructor(private readonly hexOf: (chain: readonly Uint8Array[]) => readonly string[] | undefined = () => undefined) {}

  /** Rows so far (identical requests of the same second are one row). */
  get size(): number {
    return this.rows.rows;
  }

  private chainOf(chain: readonly Uint8Array[]): LoggedChain {
    let c = logged.get(chain);
    if (!c) {
      const kept = loggedChain(chain)!;
      const known = this.hexOf(chain);
      const hexes = known ? known.slice(0, MAX_LOGGED_CHAIN) : kept.map(sha256Hex);
      c = { literal: chainLiteral(hexes), hexes };
      logged.set(chain, c);
    }
    if (!this.chains.has(chain)) {
      this.chains.add(chain);
      for (let i = 0; i < c.hexes.length; i++) if (!this.certs.has(c.hexes[i])) this.certs.set(c.hexes[i], chain[i]);
    }
    return c;
  }

  /**
   * The last entry added, its chain literal and its line after the time: a client's next request usually repeats it
   * (and the same string object keys its folded row without being hashed again).
   */
  private last: { entry: AccessLogEntry; chain: string | null; rest: string } | null = null;

  add(entry: AccessLogEntry): void {
    const chain = entry.chain;
    const literal = chain?.length ? this.chainOf(chain).literal : null;
    const last = this.last;
    let rest: string;
    if (last !== null && last.chain === literal && sameRest(last.entry, entry)) rest = last.rest;
    else this.last = { entry, chain: literal, rest: (rest = accessLogRest(entry, literal)) };
    this.rows.add(entry.at, rest);
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
    const rows = this.rows.rows;
    if (rows) {
      out.push({ t: "log", lines: this.rows.take(), rows, certs: [...this.certs] });
      this.certs = new Map();
      this.chains = new WeakSet();
    }
    return out;
  }
}
