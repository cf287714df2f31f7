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
 */
import { closeSync, openSync, readSync, renameSync, statSync, unlinkSync } from "node:fs";
import { sha256Hex, type AccessLogEntry } from "../../domain/access-log";
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

/** The state of one reader: chains by SHA-256, parsed rows, hits waiting for their chain. */
export class HitLines {
  private chains = new Map<string, Buffer>();
  private rows = new Map<string, HitRow | null>();
  private waiting: { entry: AccessLogEntry; shas: string[]; since: number }[] = [];
  private warned = false;

  constructor(private sink: Sink) {}

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
    let row = this.rows.get(b64);
    if (row === undefined) {
      try {
        row = JSON.parse(Buffer.from(b64, "base64url").toString("utf8")) as HitRow;
      } catch {
        row = null;
      }
      remember(this.rows, b64, row, MAX_ROWS);
    }
    if (!row) return;
    const { chainSha256: shas = [], ...rest } = row;
    const entry: AccessLogEntry = { ...rest, at: new Date(Math.round(Number(msec) * 1000)), chain: [] };
    if (!this.resolve(entry, shas)) this.waiting.push({ entry, shas, since: now });
  }

  /** Give the entry its chain and record it, or false when a certificate of its chain is not known yet. */
  private resolve(entry: AccessLogEntry, shas: string[]): boolean {
    const chain: Buffer[] = [];
    for (const h of shas) {
      const der = this.chains.get(h);
      if (!der) return false;
      remember(this.chains, h, der, MAX_CHAINS);
      chain.push(der);
    }
    entry.chain = chain;
    this.sink(entry);
    return true;
  }

  /** Record the waiting hits whose chain arrived; past `WAIT_MS` (or with `all`), without the missing certificates. */
  settle(now = Date.now(), all = false): void {
    if (!this.waiting.length) return;
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (this.resolve(w.entry, w.shas)) continue;
      if (!all && now - w.since < WAIT_MS) {
        still.push(w);
        continue;
      }
      if (!this.warned) {
        this.warned = true;
        console.error("[gateway nginx] a cached hit's client certificate was not in the hit log: its access-log row has no chain");
      }
      w.entry.chain = w.shas.flatMap((h) => this.chains.get(h) ?? []);
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

/** Follow nginx's hit log; `reopen` makes nginx reopen its log files (SIGUSR1) after a rotation. */
export function tailHitLog(file: string, sink: Sink, reopen: () => void): HitLog {
  const lines = new HitLines(sink);
  let cur: Cursor = { path: file, offset: 0, partial: "" };
  const draining = new Set<Cursor>();
  const drain = (c: Cursor) => {
    readNew(c, lines);
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
    },
  };
}
