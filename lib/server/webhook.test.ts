/** postWebhook against a local receiver: what counts as delivered, and the words for each way it can fail. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWebhook } from "./webhook";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end();
const received: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    received.push({ method: req.method, headers: req.headers, body });
    handler(req, res, body);
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("postWebhook", () => {
  it("POSTs the JSON document; a 2xx answer is delivered", async () => {
    handler = (_req, res) => res.writeHead(204).end();
    expect(await postWebhook(`${base}/hook`, { event: "test", n: 1 })).toEqual({ ok: true, status: 204 });
    const last = received.at(-1)!;
    expect(last.method).toBe("POST");
    expect(last.headers["content-type"]).toBe("application/json");
    expect(last.headers["user-agent"]).toBe("Portcullis-Webhook/1");
    expect(JSON.parse(last.body)).toEqual({ event: "test", n: 1 });
  });

  it("names the status of a refusal, with its reason phrase", async () => {
    handler = (_req, res) => res.writeHead(500, "Internal Server Error").end("boom");
    expect(await postWebhook(`${base}/hook`, {})).toEqual({ ok: false, status: 500, error: "HTTP 500 Internal Server Error" });
  });

  it("does not follow redirects", async () => {
    const before = received.length;
    handler = (req, res) => (req.url === "/moved" ? res.writeHead(302, { location: `${base}/elsewhere` }).end() : res.end());
    expect(await postWebhook(`${base}/moved`, {})).toEqual({ ok: false, status: 302, error: "HTTP 302: redirects are not followed" });
    expect(received.length).toBe(before + 1);
  });

  it("bounds the whole exchange, a body that never ends included", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write("partial");
    };
    const started = Date.now();
    expect(await postWebhook(`${base}/slow`, {}, { timeoutMs: 300 })).toEqual({ ok: false, error: "No response within 300 ms" });
    expect(Date.now() - started).toBeLessThan(3000);
    handler = () => undefined;
    expect(await postWebhook(`${base}/silent`, {}, { timeoutMs: 1000 })).toEqual({ ok: false, error: "No response within 1 s" });
  });

  it("says in words what went wrong, and never throws", async () => {
    expect(await postWebhook("http://127.0.0.1:9/", {})).toEqual({ ok: false, error: "Connection refused by 127.0.0.1:9" });
    expect(await postWebhook("http://no-such-host.invalid/", {})).toEqual({ ok: false, error: "Host no-such-host.invalid could not be resolved" });
    expect(await postWebhook("not a url", {})).toEqual({ ok: false, error: "The webhook URL is not a valid URL" });
    expect(await postWebhook("ftp://example.com/", {})).toEqual({ ok: false, error: "The webhook URL must use http or https" });
    handler = (req) => req.socket.destroy();
    expect(await postWebhook(`${base}/reset`, {})).toMatchObject({ ok: false, error: expect.stringMatching(/^Connection reset by 127\.0\.0\.1:\d+$/) });
  });
});
