/** Files the gateway writes for other readers (nginx, worker processes) while they may be reading them. */
import { writeFileSync, renameSync } from "node:fs";

/**
 * Writes `content` to `file` whole or not at all (a temporary file, then a rename): a reader never sees the file
 * truncated or half written, as it could while the file is rewritten in place.
 */
export function replaceFile(file: string, content: string, mode?: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, mode === undefined ? undefined : { mode });
  renameSync(tmp, file);
}
