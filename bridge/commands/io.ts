/** Where the CLI reads and writes (the process by default, fakes in tests), and the command names. */
import { createRedactor } from '../../sdk/secret';

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The whole of stdin (for `-f -`). */
  readStdin(): Promise<string>;
}

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export type CommandName = 'export' | 'validate' | 'plan' | 'apply' | 'sync' | 'proposals' | 'pull' | 'verify-receipt';

/** The CLI's io with every printed text passed through the redactor of the run's secrets. */
export interface Output extends CliIo {
  redact(text: string): string;
}

export function redactOutput(io: CliIo, secrets: readonly string[]): Output {
  // Secrets are added once the token is known, so the redactor is built per write.
  const redact = (text: string) => createRedactor([...secrets])(text);
  const wrap = (stream: CliIo['stdout']) => ({ isTTY: stream.isTTY === true, write: (text: string) => stream.write(redact(text)) });
  return { env: io.env, stdout: wrap(io.stdout), stderr: wrap(io.stderr), readStdin: () => io.readStdin(), redact };
}
