/**
 * Cached validator for the gateway: trust anchors and CRLs are parsed once; the time-independent
 * part of each decision is memoised per (purpose, leaf bytes, untrusted bytes), and the validity
 * periods of the certificates and CRLs are re-checked on every call at `at`.
 */
import { createTrustStore, type PkiInput, type TrustStore } from "./path";
import { computeCore, finalize, type Core, type Purpose, type ValidateOptions, type ValidationResult } from "./validate";

export interface Validator {
  validate(leaf: PkiInput, opts?: ValidateOptions): Promise<ValidationResult>;
  /** Problems loading the anchors or CRLs (unparseable blocks). */
  readonly loadErrors: string[];
  readonly anchorCount: number;
  readonly crlCount: number;
  /** Number of memoised decisions. */
  readonly cacheSize: number;
}

export interface CreateValidatorParams {
  trustAnchors: PkiInput[];
  crls?: PkiInput[];
  /** Maximum memoised decisions (LRU). Default 10 000. */
  cacheLimit?: number;
}

const latin1 = new TextDecoder("latin1");
const keyOf = (x: PkiInput) => (typeof x === "string" ? `s${x}` : `b${latin1.decode(x)}`);

export function createValidator(params: CreateValidatorParams): Validator {
  const store: TrustStore = createTrustStore(params.trustAnchors, params.crls ?? []);
  const limit = params.cacheLimit ?? 10_000;
  const cache = new Map<string, Promise<Core>>();

  const core = (leaf: PkiInput, untrusted: PkiInput[], purpose: Purpose): Promise<Core> => {
    let key = `${purpose}\u0000${keyOf(leaf)}`;
    for (const u of untrusted) key += `\u0000${keyOf(u)}`;
    const hit = cache.get(key);
    if (hit) {
      // Refresh LRU position.
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const p = computeCore(leaf, untrusted, store, purpose);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
    return p;
  };

  return {
    async validate(leaf, opts = {}) {
      const c = await core(leaf, opts.untrusted ?? [], opts.purpose ?? "client");
      return finalize(c, opts.at ?? new Date());
    },
    get loadErrors() {
      return store.loadErrors;
    },
    anchorCount: store.anchors.length,
    crlCount: store.crls.length,
    get cacheSize() {
      return cache.size;
    },
  };
}
