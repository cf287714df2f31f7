import { getDbHandle } from "@/lib/db/client";

export const dynamic = "force-dynamic";

// GET /api/health – liveness and database reachability (no authentication; reveals nothing else).
export async function GET() {
  const started = Date.now();
  try {
    const handle = await Promise.race([
      getDbHandle(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000)),
    ]);
    await Promise.race([handle.ping(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 3000))]);
    return Response.json({ status: "ok", database: { engine: handle.engine, reachable: true, latencyMs: Date.now() - started } });
  } catch {
    return Response.json({ status: "unavailable", database: { reachable: false } }, { status: 503, headers: { "Retry-After": "5" } });
  }
}
