import { z } from "zod";
import { DEFAULT_FILES_DIR } from "@/lib/export/nginx";

/** Query options of the export page and its download route. */
export const exportOptionsSchema = z.object({
  filesDir: z
    .string()
    .optional()
    .transform((v) => v?.trim() || DEFAULT_FILES_DIR)
    .refine((v) => /^\/[A-Za-z0-9._\-/]*$/.test(v), "Files directory must be an absolute path (letters, digits, . _ - /)"),
  listen: z
    .string()
    .optional()
    .transform((v) => v?.trim() || "443")
    .refine((v) => /^(?:[A-Za-z0-9.:\-[\]]+:)?\d{1,5}$/.test(v), "Listen must be a port, or address:port"),
});
export type ExportOptions = z.infer<typeof exportOptionsSchema>;

export function parseExportOptions(raw: Record<string, string | undefined>): { options: ExportOptions; errors: Record<string, string[]> } {
  const parsed = exportOptionsSchema.safeParse(raw);
  if (parsed.success) return { options: parsed.data, errors: {} };
  return {
    options: exportOptionsSchema.parse({}),
    errors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), [i.message]])),
  };
}
