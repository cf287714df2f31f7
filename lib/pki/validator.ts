/**
 * Cached validator for the gateway: trust anchors and CRLs are parsed once; the time-independent
 * part of each decision is memoised per (purpose, leaf input, untrusted inputs), and the validity
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
  /** Maximum memoised decisions (the memo is cleared when full). Default 10 000. */
  cacheLimit?: number;
}

const latin1 = new TextDecoder("latin1");
const keyOf = (x: PkiInput) => (typeof x === "string" ? x : `\u0000b${latin1.decode(x)}`);

export function createValidator(params: CreateValidatorParams): Validator {
  const store: TrustStore = createTrustStore(params.trustAnchors, params.crls ?? []);
  const limit = params.cacheLimit ?? 10_000;
  // purpose → leaf → untrusted → core. Keying by the leaf string itself lets V8 reuse the string's
  // cached hash when the caller passes the same string again. Bounded: cleared when full.
  const cache = new Map<string, Map<string, Map<string, Promise<Core>>>>();
  let size = 0;

  const core = (leaf: PkiInput, untrusted: PkiInput[], purpose: Purpose): Promise<Core> => {
    const leafKey = keyOf(leaf);
    const restKey = untrusted.length === 0 ? "" : untrusted.map(keyOf).join("\u0001");
    let byLeaf = cache.get(purpose);
    if (!byLeaf) cache.set(purpose, (byLeaf = new Map()));
    let byRest = byLeaf.get(leafKey);
    if (!byRest) byLeaf.set(leafKey, (byRest = new Map()));
    const hit = byRest.get(restKey);
    if (hit) return hit;
    if (size >= limit) {
      cache.clear();
      size = 0;
      return core(leaf, untrusted, purpose);
    }
    const p = computeCore(leaf, untrusted, store, purpose);
    byRest.set(restKey, p);
    size++;
    p.catch(() => {
      byRest!.delete(restKey);
      size--;
    });
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
      return size;
    },
  };
}
