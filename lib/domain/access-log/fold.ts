/**
 * Folding identical requests into one access-log row. A client that repeats a request (a poller, a retry loop, a flood
 * of blocked requests) produces rows that differ only in their time; within one UTC second such requests become one
 * row with their count in `requests` and the first one's time in `at`. Nothing a second-resolution log (nginx's
 * default format, for one) would show is lost, every request is still counted (the Overview adds up `requests`), and
 * the database writes one row where it wrote hundreds: at thousands of requests a second, the row inserts were most of
 * the gateway's own cost.
 *
 * Rows fold only within one batch of one process (a gateway worker's batch of at most 250 ms, the database process's
 * queue until its next insert), so a second's identical requests may still take a few rows.
 */
import { accessLogLine } from "./line";

/** Requests whose times fall in the same window of this many milliseconds (aligned to UTC seconds) share a row. */
const FOLD_MS = 1000;

interface OpenRow {
  at: Date;
  window: number;
  requests: number;
}

/**
 * A batch's rows as COPY lines (./line), identical requests of the same second folded. Keyed by the line after its
 * time (`accessLogRest`): callers pass the same string object for a repeated request where they can, whose hash V8
 * keeps.
 */
export class FoldedRows {
  private open = new Map<string, OpenRow>();
  /** lines of rows whose second has passed (their request came back in a later second) */
  private closed = "";
  private closedRows = 0;

  /** Rows so far (not requests). */
  get rows(): number {
    return this.open.size + this.closedRows;
  }

  /** One request, `rest` its line after the time; whether it started a row (false: it was counted into one). */
  add(at: Date, rest: string): boolean {
    const window = Math.floor(at.getTime() / FOLD_MS);
    const row = this.open.get(rest);
    if (row === undefined) {
      this.open.set(rest, { at, window, requests: 1 });
      return true;
    }
    if (row.window === window) {
      row.requests++;
      // Requests reach the log slightly out of order (the same client over several connections): the earliest time.
      if (at < row.at) row.at = at;
      return false;
    }
    this.closed += accessLogLine(row.at, rest, row.requests);
    this.closedRows++;
    row.at = at;
    row.window = window;
    row.requests = 1;
    return true;
  }

  /** The lines of every row so far, and an empty batch from here on. */
  take(): string {
    let lines = this.closed;
    for (const [rest, row] of this.open) lines += accessLogLine(row.at, rest, row.requests);
    this.open = new Map();
    this.closed = "";
    this.closedRows = 0;
    return lines;
  }
}
