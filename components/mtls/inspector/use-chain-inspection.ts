"use client";

import { useEffect, useRef, useState } from "react";
import type { InspectResult } from "@/lib/pki";

export type Inspection =
  | { status: "idle" }
  | { status: "running"; previous: InspectResult | null }
  | { status: "done"; result: InspectResult }
  | { status: "failed"; message: string };

type Reply = { id: number; result?: InspectResult; error?: string };
type Answer = { input: string; result?: InspectResult; error?: string; lastGood: InspectResult | null };

const DEBOUNCE_MS = 150;

/** Runs in the main thread only when Web Workers are unavailable; the x509 code still loads on demand. */
async function inspectInPage(input: string): Promise<InspectResult> {
  const { inspectChain } = await import("@/lib/pki");
  return inspectChain(input, { now: new Date() });
}

/**
 * Live, debounced inspection of `input` in a Web Worker. Only the latest request's answer is used, so a
 * slow parse of an old text can never overwrite the result for what is in the box now.
 */
export function useChainInspection(input: string): Inspection {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const worker = useRef<Worker | null | undefined>(undefined);
  const latest = useRef(0);

  useEffect(() => {
    return () => {
      worker.current?.terminate();
      worker.current = undefined;
    };
  }, []);

  useEffect(() => {
    const id = ++latest.current;
    if (!input.trim()) return;
    const timer = setTimeout(() => {
      const deliver = (reply: Reply) => {
        if (reply.id !== latest.current) return;
        setAnswer((prev) => ({
          input,
          result: reply.result,
          error: reply.result ? undefined : (reply.error ?? "The inspector failed."),
          lastGood: reply.result ?? prev?.lastGood ?? null,
        }));
      };
      const inPage = () =>
        inspectInPage(input).then(
          (result) => deliver({ id, result }),
          (err: unknown) => deliver({ id, error: err instanceof Error ? err.message : String(err) }),
        );
      if (worker.current === undefined) {
        try {
          worker.current = new Worker(new URL("./inspector.worker.ts", import.meta.url), { type: "module" });
        } catch {
          worker.current = null;
        }
      }
      const w = worker.current;
      if (!w) {
        void inPage();
        return;
      }
      w.onmessage = (e: MessageEvent<Reply>) => deliver(e.data);
      w.onerror = () => {
        // The worker could not start (e.g. a strict CSP): inspect in the page from now on.
        w.terminate();
        worker.current = null;
        void inPage();
      };
      w.postMessage({ id, input });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [input]);

  if (!input.trim()) return { status: "idle" };
  if (answer?.input === input) {
    return answer.result ? { status: "done", result: answer.result } : { status: "failed", message: answer.error ?? "The inspector failed." };
  }
  return { status: "running", previous: answer?.lastGood ?? null };
}
