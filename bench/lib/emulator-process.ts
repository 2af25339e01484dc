/**
 * Runs the emulator as a child process (`shoreguard-iac emulator --port 0`), so a benchmark's
 * client and the server do not share one event loop. The emulator is seeded over HTTP, either
 * through the public API with the printed keys or through its `/__emulator` control API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The keys the emulator prints at start (one service principal per role). */
export interface PrintedKeys {
  readonly admin: string;
  readonly operator: string;
  readonly operator2: string;
  readonly viewer: string;
}

export interface EmulatorProcess {
  readonly url: string;
  readonly keys: PrintedKeys;
  readonly pid: number;
  /** Stops the process (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
}

// The banner of `runEmulatorCommand` (emulator/cli.ts), one value per line.
const BANNER: Readonly<Record<string, keyof PrintedKeys | 'url'>> = {
  'URL: ': 'url',
  'API key: ': 'admin',
  'Operator API key: ': 'operator',
  'Operator 2 API key: ': 'operator2',
  'Viewer API key: ': 'viewer',
};

/**
 * Starts `node <cliPath> emulator --port 0` and resolves once the banner (URL and keys) is read.
 * @param cliPath the built `shoreguard-iac.js`.
 */
export async function startEmulatorProcess(cliPath: string, options: { readonly startTimeoutMs?: number } = {}): Promise<EmulatorProcess> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist; run \`npm run build\` first.`);
  const child = spawn(process.execPath, [cliPath, 'emulator', '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const banner = await readBanner(child, options.startTimeoutMs ?? 15_000);
    const { url, ...keys } = banner;
    return {
      url,
      keys,
      pid: child.pid ?? -1,
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

function readBanner(child: ChildProcess, timeoutMs: number): Promise<PrintedKeys & { url: string }> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('the emulator process has no stdout'));
  return new Promise((resolve, reject) => {
    const found: Partial<Record<keyof PrintedKeys | 'url', string>> = {};
    const lines = createInterface({ input: stdout });
    const finish = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      // Keep draining stdout so the child never blocks on a full pipe.
      stdout.resume();
    };
    const fail = (message: string): void => {
      finish();
      reject(new Error(message));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`the emulator exited early (code ${code}, signal ${signal})`);
    const timer = setTimeout(() => fail(`the emulator printed no URL and keys within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const prefix = Object.keys(BANNER).find((candidate) => line.startsWith(candidate));
      if (prefix) found[BANNER[prefix] as keyof typeof found] = line.slice(prefix.length).trim();
      const { url, admin, operator, operator2, viewer } = found;
      if (url && admin && operator && operator2 && viewer) {
        finish();
        resolve({ url, admin, operator, operator2, viewer });
      }
    });
  });
}
