/// <reference lib="webworker" />
/**
 * Runs the CA-bundle inspector off the main thread so typing never waits for parsing or signature checks
 * (a 150-certificate public-root bundle takes a noticeable moment).
 */
import { createParseCache, inspectChain } from "@/lib/pki";

const INSECURE =
  "The live inspector needs a secure context (HTTPS, or http://localhost): this browser hides WebCrypto on plain HTTP. The server still checks the chain when you save.";

/** Certificates already parsed and verified here: an edit of a large bundle re-checks only what is new. */
const cache = createParseCache();

interface Request {
  id: number;
  input: string;
}

self.onmessage = async (event: MessageEvent<Request>) => {
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
