/**
 * The login methods as the gateway uses them: the list (loaded once per configuration generation) and, per login
 * method, the provider's openid-client configuration from discovery (once per generation; a failed discovery is
 * retried after 10 s, so a provider that is down does not cost a request to it on every sign-in attempt).
 */
import type * as client from "openid-client";
import { discover, type DiscoveryFailure } from "../../domain/login-methods/oidc";
import type { GatewayLoginMethod, IdentitySource } from "./source";

const RETRY_FAILED_DISCOVERY_MS = 10_000;

export type ProviderConfig = { ok: true; config: client.Configuration } | { ok: false; failure: DiscoveryFailure };

export class Providers {
  private methods: Promise<GatewayLoginMethod[]> | null = null;
  private configs = new Map<string, { at: number; p: Promise<ProviderConfig> }>();
  private generation = 0;

  constructor(private source: IdentitySource) {}

  list(): Promise<GatewayLoginMethod[]> {
    if (!this.methods) {
      const p = this.source.loginMethods();
      this.methods = p;
      p.catch(() => {
        if (this.methods === p) this.methods = null;
      });
    }
    return this.methods;
  }

  async get(id: string): Promise<GatewayLoginMethod | null> {
    return (await this.list()).find((m) => m.id === id) ?? null;
  }

  /** The provider configuration of a login method whose secret opened (discovery on first use). */
  config(m: GatewayLoginMethod & { clientSecret: string }): Promise<ProviderConfig> {
    const hit = this.configs.get(m.id);
    if (hit) return hit.p;
    const gen = this.generation;
    const p = discover({ issuerUrl: m.issuerUrl, clientId: m.clientId, clientSecret: m.clientSecret }).then((r): ProviderConfig => (r.ok ? { ok: true, config: r.config } : { ok: false, failure: r.failure }));
    this.configs.set(m.id, { at: Date.now(), p });
    p.then((r) => {
      if (!r.ok && gen === this.generation) setTimeout(() => this.configs.get(m.id)?.p === p && this.configs.delete(m.id), RETRY_FAILED_DISCOVERY_MS).unref();
    });
    return p;
  }

  clear(): void {
    this.generation++;
    this.methods = null;
    this.configs.clear();
  }
}
