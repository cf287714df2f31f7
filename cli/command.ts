/** Shared CLI types. */
export interface Command {
  summary: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad invocations: printed as one line, exit code 1. */
export class UsageError extends Error {}
