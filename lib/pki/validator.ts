/**
 * Cached validator for the gateway: trust anchors and CRLs are parsed once; the time-independent
 * part of each decision is memoised per (purpose, leaf input, untrusted inputs) — or per caller-supplied
 * `cacheKey` — and the validity periods of the certificates and CRLs are re-checked on every call at `at`.
 */
import { createTrustStore, type PkiInput, type TrustStore } from "./path";
import { computeCore, errorsAt, finalize, type Core, type Purpose, type ValidateOptions, type ValidationResult } from "./validate";
import type { VerifyError } from "./verify-errors";

export interface CachedValidateOptions extends ValidateOptions {
  /**
   * Identity of (leaf, untrusted) chosen by the caller, used as the memo key instead of the certificate bytes
   * (which are otherwise read on every call to build the key). The caller guarantees that equal keys always come
   * with equal inputs — e.g. the SHA-256 fingerprints of the leaf and of every untrusted certificate, in order.
   * Keys live in their own namespace, so a key never collides with a byte-derived one.
   */
  cacheKey?: string;
}

/** What `Validator.check` returns: the verdict at `at`, without the step-by-step report. */
export interface ValidationCheck {
  /** The errors `validate` would return at the same `at`, in the same order. */
  errors: readonly VerifyError[];
  /**
   * The memoised time-independent part (path, leaf information). The same object for as long as the decision stays
   * memoised, and `errors` is then the same array whenever every time check passes, so callers can cache what they
   * derive from a check by the identity of `core` and `errors`.
   */
  core: Readonly<Pick<Core, "path" | "leaf">>;
}

export interface Validator {
  validate(leaf: PkiInput, opts?: CachedValidateOptions): Promise<ValidationResult>;
  /** The same decision as `validate` (errors only, no steps): the per-request path of the gateway. */
  check(leaf: PkiInput, opts?: CachedValidateOptions): Promise<ValidationCheck>;
  /**
   * `check` without waiting: its result when the decision is memoised already, else undefined (and the decision is
   * started, so a following `check` waits for it). The gateway's keep-alive requests take no promise this way.
   */
  checkNow(leaf: PkiInput, opts?: CachedValidateOptions): ValidationCheck | undefined;
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
  /** Like `openssl verify -x509_strict`: missing key identifiers are errors (see CoreOptions in ./validate). */
  strict?: boolean;
}

const latin1 = new TextDecoder("latin1");
const keyOf = (x: PkiInput) => (typeof x === "string" ? x : `\u0000b${latin1.decode(x)}`);

type Entry = { promise: Promise<Core>; core: Core | null };
type Memo = Map<string, Entry>;

export function createValidator(params: CreateValidatorParams): Validator {
  const store: TrustStore = createTrustStore(params.trustAnchors, params.crls ?? []);
  const limit = params.cacheLimit ?? 10_000;
  const coreOptions = { strict: params.strict === true };
  // Byte-keyed: purpose → leaf → untrusted → core. Keying by the leaf string itself lets V8 reuse the string's
  // cached hash when the caller passes the same string again. Caller-keyed: purpose → cacheKey → core.
  // Bounded together: both are cleared when full.
  const byBytes = new Map<string, Map<string, Memo>>();
  const byKey = new Map<string, Memo>();
  let size = 0;
  const clear = () => {
    byBytes.clear();
    byKey.clear();
    size = 0;
  };

  const remember = (memo: Memo, key: string, leaf: PkiInput, untrusted: PkiInput[], purpose: Purpose): Entry => {
    const entry: Entry = { promise: computeCore(leaf, untrusted, store, purpose, coreOptions), core: null };
    memo.set(key, entry);
    size++;
    entry.promise.then(
      (c) => {
        entry.core = c;
      },
      () => {
        // Failed computations are not memoised (unless the memo was cleared and refilled meanwhile).
        if (memo.get(key) === entry) {
          memo.delete(key);
          size--;
        }
      },
    );
    return entry;
  };

  const entryFor = (leaf: PkiInput, opts: CachedValidateOptions): Entry => {
    const purpose = opts.purpose ?? "client";
    const untrusted = opts.untrusted ?? [];
    const { cacheKey } = opts;
    let memo: Memo | undefined;
    let key: string;
    if (cacheKey !== undefined) {
      key = cacheKey;
      memo = byKey.get(purpose);
    } else {
      const leafKey = keyOf(leaf);
      key = untrusted.length === 0 ? "" : untrusted.map(keyOf).join("\u0001");
      memo = byBytes.get(purpose)?.get(leafKey);
      const hit = memo?.get(key);
      if (hit) return hit;
      if (size >= limit) clear();
      let byLeaf = byBytes.get(purpose);
      if (!byLeaf) byBytes.set(purpose, (byLeaf = new Map()));
      memo = byLeaf.get(leafKey);
      if (!memo) byLeaf.set(leafKey, (memo = new Map()));
      return remember(memo, key, leaf, untrusted, purpose);
    }
    const hit = memo?.get(key);
    if (hit) return hit;
    if (size >= limit) clear();
    memo = byKey.get(purpose);
    if (!memo) byKey.set(purpose, (memo = new Map()));
    return remember(memo, key, leaf, untrusted, purpose);
  };

  const coreOf = async (leaf: PkiInput, opts: CachedValidateOptions): Promise<Core> => {
    const e = entryFor(leaf, opts);
    return e.core ?? e.promise;
  };

  return {
    async validate(leaf, opts = {}) {
      const c = await coreOf(leaf, opts);
      return finalize(c, opts.at ?? new Date());
    },
    async check(leaf, opts = {}) {
      const c = await coreOf(leaf, opts);
      return { errors: errorsAt(c, opts.at ?? new Date()), core: c };
    },
    checkNow(leaf, opts = {}) {
      const c = entryFor(leaf, opts).core;
      return c ? { errors: errorsAt(c, opts.at ?? new Date()), core: c } : undefined;
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
