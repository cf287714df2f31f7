/** The first admin and an Edit and a Read API token of theirs, for the REST API tests that start with them. */
import type { Actor } from "@/lib/domain/core/actor";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";

export async function adminWithTokens(): Promise<{ actor: Actor; editToken: string; readToken: string }> {
  const admin = await createFirstAdmin({ email: "admin@example.com", name: "Admin", password: "a-long-password-1" }, null);
  if (!admin.ok) throw new Error(admin.error.message);
  const actor: Actor = { type: "user", id: admin.value.id, label: admin.value.email, role: "admin", permission: "edit" };
  const edit = await createApiToken(actor, { name: "edit", permission: "edit" });
  const read = await createApiToken(actor, { name: "read", permission: "read" });
  if (!edit.ok || !read.ok) throw new Error("tokens");
  return { actor, editToken: edit.value.secret, readToken: read.value.secret };
}
