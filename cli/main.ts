/**
 * `portcullis` command dispatcher. Add a command: one line in COMMANDS.
 * Commands are imported only when they run, so `portcullis verify` never loads the database driver and
 * `--help` loads nothing else (start-up time is most of a CLI call).
 */
import { readFileSync } from "node:fs";
import { UsageError, type Command } from "./command";

/** Set by cli/build.mjs in the prebuilt bundle (cli/dist); undefined when this file runs from source through tsx. */
declare const __PORTCULLIS_VERSION__: string | undefined;
declare const __PORTCULLIS_BUILD_ID__: string | undefined;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  verify: {
    summary: "validate client certificates against CA certificates (like openssl verify)",
    load: async () => (await import("./verify")).verifyCommand,
  },
  export: {
    summary: "export the configuration for another proxy (nginx)",
    load: async () => (await import("./export")).exportCommand,
  },
  test: {
    summary: "test a client certificate against a running Portcullis (allowed or blocked, and why)",
    load: async () => (await import("./test")).testCommand,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    "Usage: portcullis <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `portcullis <command> --help` for the options of a command; `portcullis --version` for the version.",
  ].join("\n");
}

/** "portcullis 0.1.0 (build …)" from the prebuilt bundle, "(from source)" under tsx. */
function version(): string {
  if (typeof __PORTCULLIS_BUILD_ID__ !== "undefined") return `portcullis ${__PORTCULLIS_VERSION__} (build ${__PORTCULLIS_BUILD_ID__})`;
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return `portcullis ${pkg.version} (from source)`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 1;
  }
  if (name === "--version" || name === "-V") {
    console.log(version());
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`portcullis: unknown command "${name}" (try --help)`);
    return 1;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`portcullis ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

// Exit once stdout has drained: a large --json answer written to a pipe is otherwise cut at the pipe's buffer size.
const exitAfterOutput = (code: number) => process.stdout.write("", () => process.exit(code));

main(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (e) => {
    console.error(`portcullis: ${(e as Error).message}`);
    process.exit(1);
  },
);
