import { parseArgs, type ParseArgsConfig } from "node:util";

/** Shared CLI types. */
export interface Command {
  /** Returns the process exit code. (The one-line summary lives in main.ts, so help loads no command.) */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad invocations: printed as one line, exit code 1. */
export class UsageError extends Error {}

/** node:util parseArgs with positionals allowed; bad options become a one-line UsageError. */
export function parseCommandArgs<const O extends ParseArgsConfig["options"]>(args: string[], options: O) {
  try {
    return parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
}
