/**
 * Access-log rows of the decisions nginx answered from its cache (./decision-cache): nginx appends one line per
 * cached hit to a file in the engine's directory (buffered, flushed every 250 ms); this reads what was appended,
 * a few times a second, and records each hit as the row the request path would have written. Past 16 MiB the file
 * is rotated: renamed, nginx told to reopen its logs (`reopen`), and the old file read to its end a moment later.
 *
 * A hit's line is `msec HIT row -`: the row (base64url JSON, the cached answer's log header) names the client's chain
 * by SHA-256. The line of the miss whose answer nginx stored, `msec MISS row certificate`, is not a row (the request
 * path logged that request) but brings the certificate, once per cache entry: the chains are kept here by SHA-256
 * (bounded), so the certificate is neither written nor parsed on every hit. nginx's workers flush their buffers on
 * their own, so a hit can be read before the miss of another worker that stored its entry: such a hit waits for its
 * chain (at most `WAIT_MS`; then it is logged without one, said once on stderr).
 *
 * Every hit of a cache entry repeats the same row: it is parsed once into an entry that each hit copies with its own
 * time (one object shape), its chain assembled once (the same array for all its hits, its SHA-256 values known), and
 * the rows go through a gateway worker's batch (../log-batch: the COPY line built once per run of identical rows) to
 * `recordAccessLines` after each read. Measured on the bench's keep-alive load (about 6,000 hits/s): the primary spent
 * 15.8 µs of CPU per request when each hit was built from the parsed JSON and recorded with `recordAccess` (building
 * its COPY line again), 9.7 µs this way, database writes included.
 */
import { closeSync, openSync, readSync, renameSync, statSync, unlinkSync } from "node:fs";
import { recordAccessLines, sha256Hex, type AccessLogEntry } from "../../domain/access-log";
import { LogBatch } from "../log-batch";
import type { HitRow } from "./decision-cache";
import { chainOf } from "./peer";

const POLL_MS = 200;
const ROTATE_AT = 16 * 1024 * 1024;
/** How long a hit waits for the line bringing its chain (nginx flushes each worker's buffer within 250 ms). */
export const WAIT_MS = 3000;
/** Chains and parsed rows remembered (a cache entry lives 30 s at most; its chain is used again on every hit). */
const MAX_CHAINS = 20_000;
const MAX_ROWS = 20_000;

type Sink = (e: AccessLogEntry) => void;

/** A bounded map whose entries are refreshed when read (the oldest unused go first). */
function remember<V>(m: Map<string, V>, k: string, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > max) m.delete(m.keys().next().value as string);
}

/**
 * A cache entry's row as parsed from its hit lines: an entry of its fields (each hit is a copy with its own time, one
 * object shape for all of them), its chain's SHA-256 values, and whether the entry has its chain yet.
 */
interface ParsedRow {
  entry: AccessLogEntry;
  shas: string[];
  resolved: boolean;
}

/** The state of one reader: chains by SHA-256, parsed rows, hits waiting for their chain. */
export class HitLines {
  private chains = new Map<string, Buffer>();
  private rows = new Map<string, ParsedRow | null>();
  /** the last line's row (a run of hits of one entry looks it up without hashing its text again) */
  private last: { b64: string; row: ParsedRow | null } | null = null;
  /** the SHA-256 values of the chains this reader assembled */
  private shas = new WeakMap<readonly Uint8Array[], readonly string[]>();
  private waiting: { entry: AccessLogEntry; row: ParsedRow; since: number }[] = [];
  private warned = false;

  constructor(private sink: Sink) {}

  /** The SHA-256 values of a chain this reader gave an entry (undefined for any other array). */
  shasOf(chain: readonly Uint8Array[]): readonly string[] | undefined {
    return this.shas.get(chain);
  }

  /** One hit-log line (`msec status row certificate`). */
  line(line: string, now = Date.now()): void {
    const [msec, status, b64, cert] = line.split(" ");
    if (!msec || !b64 || b64 === "-") return;
    if (status !== "HIT") {
      // The miss that stored an entry: its certificate, for the hits to come.
      if (cert && cert !== "-") {
        try {
          for (const der of chainOf(cert)) remember(this.chains, sha256Hex(der), der, MAX_CHAINS);
        } catch {
          /* not a certificate: its hits go without a chain */
        }
      }
      return;
    }
    const row = this.parsed(b64);
    if (!row) return;
    const entry: AccessLogEntry = { ...row.entry, at: new Date(Math.round(Number(msec) * 1000)) };
    if (!this.resolve(entry, row)) this.waiting.push({ entry, row, since: now });
  }

  private parsed(b64: string): ParsedRow | null {
    if (this.last?.b64 === b64) return this.last.row;
    let row = this.rows.get(b64);
    if (row === undefined) {
      try {
        const { chainSha256: shas = [], ...fields } = JSON.parse(Buffer.from(b64, "base64url").toString("utf8")) as HitRow;
        row = { entry: { ...fields, at: new Date(0), chain: [] }, shas, resolved: false };
      } catch {
        row = null;
      }
      remember(this.rows, b64, row, MAX_ROWS);
    }
    this.last = { b64, row };
    return row;
  }

  /** Give the entry its row's chain and record it, or false when a certificate of the chain is not known yet. */
  private resolve(entry: AccessLogEntry, row: ParsedRow): boolean {
    if (!row.resolved) {
      const chain: Buffer[] = [];
      for (const h of row.shas) {
        const der = this.chains.get(h);
        if (!der) return false;
        remember(this.chains, h, der, MAX_CHAINS);
        chain.push(der);
      }
      row.entry.chain = chain;
      row.resolved = true;
      this.shas.set(chain, row.shas);
    }
    entry.chain = row.entry.chain;
    this.sink(entry);
    return true;
  }

  /** Record the waiting hits whose chain arrived; past `WAIT_MS` (or with `all`), without the missing certificates. */
  settle(now = Date.now(), all = false): void {
    if (!this.waiting.length) return;
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (this.resolve(w.entry, w.row)) continue;
      if (!all && now - w.since < WAIT_MS) {
        still.push(w);
        continue;
      }
      if (!this.warned) {
        this.warned = true;
        console.error("[gateway nginx] a cached hit's client certificate was not in the hit log: its access-log row has no chain");
      }
      w.entry.chain = w.row.shas.flatMap((h) => this.chains.get(h) ?? []);
      this.sink(w.entry);
    }
    this.waiting = still;
  }
}

export interface HitLog {
  /** read what is there now (nginx flushed), then stop */
  close(): void;
}

interface Cursor {
  path: string;
  offset: number;
  partial: string;
}

/** Read what was appended to `c.path` since the last read; each whole line goes to `lines`. */
function readNew(c: Cursor, lines: HitLines): void {
  let size: number;
  try {
    size = statSync(c.path).size;
  } catch {
    return; // not written yet
  }
  if (size <= c.offset) return;
  const fd = openSync(c.path, "r");
  try {
    const buf = Buffer.alloc(size - c.offset);
    const n = readSync(fd, buf, 0, buf.length, c.offset);
    c.offset += n;
    const text = (c.partial + buf.subarray(0, n).toString("latin1")).split("\n");
    c.partial = text.pop() ?? "";
    for (const l of text) lines.line(l.trim());
  } finally {
    closeSync(fd);
  }
}

/** Follow nginx's hit log into the access log; `reopen` makes nginx reopen its log files (SIGUSR1) after a rotation. */
export function tailHitLog(file: string, reopen: () => void): HitLog {
  const lines: HitLines = new HitLines((e) => batch.add(e));
  const batch = new LogBatch((chain) => lines.shasOf(chain));
  const record = () => {
    for (const m of batch.take()) if (m.t === "log") recordAccessLines(m.lines, m.rows, m.certs);
  };
  let cur: Cursor = { path: file, offset: 0, partial: "" };
  const draining = new Set<Cursor>();
  const drain = (c: Cursor) => {
    readNew(c, lines);
    record();
    draining.delete(c);
    try {
      unlinkSync(c.path);
    } catch {
      /* already gone */
    }
  };
  const read = () => {
    readNew(cur, lines);
    if (cur.offset < ROTATE_AT) return;
    const old: Cursor = { ...cur, path: `${file}.${Date.now()}` };
    renameSync(file, old.path);
    reopen();
    cur = { path: file, offset: 0, partial: "" };
    // nginx's workers write to the renamed file until they reopen (at once) and flush within 250 ms.
    draining.add(old);
    setTimeout(() => drain(old), 2000).unref();
  };
  const timer = setInterval(() => {
    try {
      read();
      lines.settle();
      record();
    } catch (e) {
      console.error(`[gateway nginx] hit log not read: ${(e as Error).message}`);
    }
  }, POLL_MS);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      for (const c of draining) drain(c);
      readNew(cur, lines);
      lines.settle(Date.now(), true);
      record();
    },
  };
}
