/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 for the console single sign-on tests and the gateway's
 * sign-in flow (one client, registered with every redirect URI given). With `loginPage`, the interaction is a sign-in
 * page (heading "Test IdP sign-in", textbox Email, button Sign in) that a browser fills in: the email typed is the
 * account (verified, unless it starts with "unverified"). `login(account)`
 * decides who signs in at the provider next; its interaction endpoint signs that account in and grants the
 * requested scopes without a form, so a test can walk the whole authorization-code flow over HTTP.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface IdpAccount {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next authorization signs in as. */
  login(account: IdpAccount): void;
  close(): Promise<void>;
}

const page = (uid: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head><body><main>
<h1>Test IdP sign-in</h1><form method="post" action="/interaction/${uid}/login"><label>Email <input name="email" type="email"></label> <button type="submit">Sign in</button></form>
</main></body></html>`;

export async function startIdp(redirectUri: string | string[], opts: { loginPage?: boolean } = {}): Promise<TestIdp> {
  const accounts = new Map<string, IdpAccount>();
  let next: IdpAccount | undefined;
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = "portcullis-console";
  const clientSecret = "portcullis-console-secret-for-tests";
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: Array.isArray(redirectUri) ? redirectUri : [redirectUri], grant_types: ["authorization_code"], response_types: ["code"] }],
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account }) };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The claims in the ID token itself (next-auth reads the profile from it).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["portcullis-test-idp-cookie-key"] },
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  });
  const callback = provider.callback();
  server.on("request", async (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (opts.loginPage) {
        if (req.method !== "POST") {
          res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          res.end(page(details.uid));
          return;
        }
        let body = "";
        for await (const c of req) body += String(c);
        const email = new URLSearchParams(body).get("email")?.trim().toLowerCase() ?? "";
        next = { sub: `sub:${email}`, email, email_verified: !email.startsWith("unverified") };
      }
      if (!next) throw new Error("no account chosen: call login() first");
      accounts.set(next.sub, next);
      const grant = new provider.Grant({ accountId: next.sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: next.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  return {
    issuer,
    clientId,
    clientSecret,
    login: (account) => {
      next = account;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Follows the provider's redirects (with its cookies) until they lead back to `redirectUri`; returns that URL. */
export async function authorizeAtIdp(authorizeUrl: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(redirectUri)) return new URL(url);
    const res = await fetch(url, { redirect: "manual", headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const j = pair.indexOf("=");
      jar.set(pair.slice(0, j), pair.slice(j + 1));
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 500)}`);
    url = new URL(location, url).toString();
  }
  throw new Error("too many redirects at the provider");
}
