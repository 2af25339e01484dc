/**
 * `shoreguard-iac emulator`: starts the emulator, prints its URL and keys, and serves until
 * SIGINT/SIGTERM. The lead wires `runEmulatorCommand` into the CLI.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from './index';

export interface EmulatorCommandOptions extends Pick<EmulatorOptions, 'rateLimits' | 'latencyMs' | 'version'> {
  port: number;
  host: string;
  localMode: boolean;
  /** Where the banner goes. @default process.stdout */
  output?: NodeJS.WritableStream;
  /** Resolves when the emulator should stop. @default the first SIGINT or SIGTERM */
  stopSignal?: Promise<unknown>;
}

function waitForTermination(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** The emulator could not listen on the requested address. */
export class EmulatorStartError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'EmulatorStartError';
  }
}

async function start(options: EmulatorCommandOptions): Promise<Emulator> {
  try {
    return await startEmulator({
      port: options.port,
      host: options.host,
      localMode: options.localMode,
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new EmulatorStartError(
        `port ${options.port} on ${options.host} is already in use; pick another with --port (0 = any free port)`,
        { cause: error },
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new EmulatorStartError(`cannot listen on ${options.host}:${options.port} (${code}); check --host and --port`, {
        cause: error,
      });
    }
    throw error;
  }
}

export async function runEmulatorCommand(options: EmulatorCommandOptions): Promise<void> {
  const emulator = await start(options);
  const stop = options.stopSignal ?? waitForTermination();
  const output = options.output ?? process.stdout;
  output.write(
    [
      `URL: ${emulator.url}`,
      `API key: ${emulator.keys.admin}`,
      `Operator API key: ${emulator.keys.operator}`,
      `Operator 2 API key: ${emulator.keys.operator2}`,
      `Viewer API key: ${emulator.keys.viewer}`,
      '',
    ].join('\n'),
  );
  try {
    await stop;
  } finally {
    await emulator.close();
  }
}
