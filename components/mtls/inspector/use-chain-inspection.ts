"use client";

import { startTransition, useEffect, useRef, useState } from "react";
import type { InspectResult } from "@/lib/pki";

export type Inspection =
  | { status: "idle" }
  | { status: "running"; previous: InspectResult | null }
  | { status: "done"; result: InspectResult }
  | { status: "failed"; message: string };

type Reply = { id: number; result?: InspectResult; error?: string };
/** One edit of the text box: every change of `input` (clearing and pasting the same text again included) is a new request. */
type Request = { id: number; input: string };
type Answer = { id: number; result?: InspectResult; error?: string };

const DEBOUNCE_MS = 150;
/** Rounds of the idle warm-up (two small certificates each): enough for the code to have run, little idle CPU. */
const WARM_UP_ROUNDS = 3;

/** The inspector's worker, or null where Web Workers cannot start (the page then inspects in the main thread). */
function spawnWorker(): Worker | null {
  try {
    return new Worker(new URL("./inspector.worker.ts", import.meta.url), { type: "module" });
  } catch {
    return null;
  }
}

/** Runs in the main thread only when Web Workers are unavailable; the x509 code still loads on demand. */
async function inspectInPage(input: string): Promise<InspectResult> {
  const { inspectChain } = await import("@/lib/pki");
  return inspectChain(input, { now: new Date() });
}

/**
 * Live, debounced inspection of `input` in a Web Worker. Every change of `input` is a new request with its own id,
 * and only the answer to the current request is shown as done: a slow parse of an old text can never overwrite the
 * result for what is in the box now, and pasting the same text again (after clearing the box, or while a parse is in
 * flight) is inspected again instead of waiting for an answer that already came. While a request runs, the last good
 * result stays on screen (`previous`), except after the box was cleared.
 */
export function useChainInspection(input: string): Inspection {
  const [request, setRequest] = useState<Request>({ id: 0, input });
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [lastGood, setLastGood] = useState<InspectResult | null>(null);
  const worker = useRef<Worker | null | undefined>(undefined);

  // Adjusting state while rendering (React's pattern for "state derived from a changed prop"): a new request per change.
  let current = request;
  if (request.input !== input) {
    current = { id: request.id + 1, input };
    setRequest(current);
    // A cleared box starts afresh: the next paste does not show the old bundle's cards while it is inspected.
    if (!input.trim() && lastGood) setLastGood(null);
  }
  const id = current.id;

  useEffect(() => {
    // While the page is idle, before any paste: start the worker (its script loads and compiles now, not on the first
    // paste: 101 → 31 ms for a first 2-certificate paste in the bench) and let it run its parser and checks once.
    const idle = (f: () => void) =>
      typeof requestIdleCallback === "function" ? requestIdleCallback(f, { timeout: 1000 }) : (setTimeout(f, 200) as unknown as number);
    const handle = idle(() => {
      if (worker.current !== undefined) return;
      const w = spawnWorker();
      worker.current = w;
      if (!w) return;
      w.onerror = () => {
        // The worker could not start (e.g. a strict CSP): the next request inspects in the page.
        w.terminate();
        if (worker.current === w) worker.current = null;
      };
      w.postMessage({ warmUp: WARM_UP_ROUNDS });
    });
    return () => {
      if (typeof cancelIdleCallback === "function") cancelIdleCallback(handle);
      else clearTimeout(handle);
      worker.current?.terminate();
      worker.current = undefined;
    };
  }, []);

  useEffect(() => {
    if (!input.trim()) return;
    let live = true;
    const deliver = (reply: Reply) => {
      if (!live || reply.id !== id) return;
      // A large result (a 150-certificate bundle) renders as a transition: it never blocks typing.
      startTransition(() => {
        setAnswer({ id, result: reply.result, error: reply.result ? undefined : (reply.error ?? "The inspector failed.") });
        if (reply.result) setLastGood(reply.result);
      });
    };
    const inPage = () =>
      inspectInPage(input).then(
        (result) => deliver({ id, result }),
        (err: unknown) => deliver({ id, error: err instanceof Error ? err.message : String(err) }),
      );
    const timer = setTimeout(() => {
      if (worker.current === undefined) worker.current = spawnWorker();
      const w = worker.current;
      if (!w) {
        void inPage();
        return;
      }
      w.onmessage = (e: MessageEvent<Reply>) => deliver(e.data);
      w.onerror = () => {
        // The worker could not start (e.g. a strict CSP): inspect in the page from now on.
        w.terminate();
        if (worker.current === w) worker.current = null;
        void inPage();
      };
      w.postMessage({ id, input });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, input]);

  if (!input.trim()) return { status: "idle" };
  if (answer?.id === id) {
    return answer.result ? { status: "done", result: answer.result } : { status: "failed", message: answer.error ?? "The inspector failed." };
  }
  return { status: "running", previous: lastGood };
}
