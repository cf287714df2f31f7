/// <reference lib="webworker" />
/**
 * Runs the CA-bundle inspector off the main thread so typing never waits for parsing or signature checks
 * (a 150-certificate public-root bundle takes a noticeable moment).
 */
import { createParseCache, inspectChain } from "@/lib/pki";
import { WARM_UP_PEM } from "./warm-up-pem";

const INSECURE =
  "The live inspector needs a secure context (HTTPS, or http://localhost): this browser hides WebCrypto on plain HTTP. The server still checks the chain when you save.";

/** Certificates already parsed and verified here: an edit of a large bundle re-checks only what is new. */
const cache = createParseCache();

/** An inspection of the text box, or (from the page, while it is idle) a warm-up of the parser and checks. */
type Request = { id: number; input: string } | { warmUp: number };

/** Set by the first real request: a warm-up still running stops at its next round. */
let busy = false;

/**
 * Inspect the built-in certificates `rounds` times, each parse fresh (no cache), answering nothing: the code a first
 * paste runs has then been compiled. (On the 144-certificate bundle the worker's part stayed ~66-68 ms in the bench
 * with or without it: WebCrypto's signature checks and the collector dominate, not cold code.)
 */
async function warmUp(rounds: number) {
  if (!globalThis.crypto?.subtle) return;
  for (let i = 0; i < rounds && !busy; i++) await inspectChain(WARM_UP_PEM).catch(() => undefined);
}

self.onmessage = async (event: MessageEvent<Request>) => {
  if ("warmUp" in event.data) return warmUp(event.data.warmUp);
  busy = true;
  const { id, input } = event.data;
  if (!globalThis.crypto?.subtle) {
    self.postMessage({ id, error: INSECURE });
    return;
  }
  try {
    const result = await inspectChain(input, { now: new Date(), cache });
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : "The inspector failed." });
  }
};
