// Starts and stops a throw-away REAL ShoreGuard 0.40.0 (PyPI) for tests, through
// scripts/real-shoreguard/{setup,start,stop}.sh: a Debian sid root with Python 3.14 under the
// git-ignored .cache/, built on first use (about a minute) and reused afterwards.
// Needs root (chroot/unshare). Nothing is skipped when the cache is absent: it is built.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(REPO_ROOT, 'scripts', 'real-shoreguard');

export type Principal = 'admin' | 'operator' | 'operator2' | 'viewer';

const InstanceSchema = z.object({
  url: z.string().url(),
  keys: z.object({ admin: z.string(), operator: z.string(), operator2: z.string(), viewer: z.string() }),
  pid: z.number().int().positive(),
  tmpdir: z.string(),
  log: z.string(),
  admin_user: z.object({ email: z.string(), password: z.string() }),
  version: z.string(),
});

export interface StartRealShoreGuardOptions {
  /** Extra SHOREGUARD_* settings; they win over start.sh's test defaults. */
  env?: Record<string, string>;
  /** Seconds to wait for the server after the build. @default 90 */
  startTimeoutSeconds?: number;
  /** Echo the scripts' progress lines to stderr (they never contain keys). @default true */
  progress?: boolean;
}

export class RealShoreGuardError extends Error {
  constructor(message: string, readonly output: string) {
    super(`${message}\n--- script output (tail) ---\n${output.split('\n').slice(-40).join('\n')}`);
    this.name = 'RealShoreGuardError';
  }
}

/** A running real ShoreGuard. Keys are readable but never printed (inspect/JSON are redacted). */
export class RealShoreGuard {
  readonly url: string;
  readonly pid: number;
  readonly tmpdir: string;
  readonly logPath: string;
  readonly version: string;
  readonly #keys: Readonly<Record<Principal, string>>;
  readonly #adminPassword: string;
  readonly adminEmail: string;
  #stopped = false;

  constructor(private readonly instanceFile: string, instance: z.infer<typeof InstanceSchema>) {
    this.url = instance.url;
    this.pid = instance.pid;
    this.tmpdir = instance.tmpdir;
    this.logPath = instance.log;
    this.version = instance.version;
    this.#keys = Object.freeze({ ...instance.keys });
    this.adminEmail = instance.admin_user.email;
    this.#adminPassword = instance.admin_user.password;
  }

  /** The service-principal API key of `principal` (sp:ts-admin, sp:ts-operator1, sp:ts-operator2, sp:ts-viewer). */
  key(principal: Principal): string {
    return this.#keys[principal];
  }

  /** Password of the admin user (admin@example.com), for cookie-login tests. */
  adminPassword(): string {
    return this.#adminPassword;
  }

  /** `Authorization: Bearer …` headers for `principal`, plus JSON content type. */
  headers(principal: Principal): Record<string, string> {
    return { authorization: `Bearer ${this.key(principal)}`, 'content-type': 'application/json' };
  }

  /** The server's log so far (stdout+stderr of uvicorn/ShoreGuard). */
  serverLog(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Kills the server's process group and deletes its temp dir. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await runScript('stop.sh', [this.instanceFile], { progress: false });
  }

  toJSON(): Record<string, unknown> {
    return { url: this.url, pid: this.pid, tmpdir: this.tmpdir, version: this.version, keys: '[redacted]' };
  }

  toString(): string {
    return `RealShoreGuard(${this.version} at ${this.url}, pid ${this.pid})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

interface ScriptResult {
  stdout: string;
  output: string;
}

function runScript(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; progress?: boolean },
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(SCRIPTS, script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (options.progress) process.stderr.write(chunk);
    });
    child.on('error', (error) => reject(new RealShoreGuardError(`could not run ${script}: ${error.message}`, output)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, output });
      else reject(new RealShoreGuardError(`${script} failed (exit ${code ?? signal})`, output));
    });
  });
}

/** Builds .cache/sid-root with shoreguard==0.40.0 and the OpenShell protoset if absent (idempotent). */
export async function ensureRealShoreGuardBuilt(options: { progress?: boolean } = {}): Promise<void> {
  await runScript('setup.sh', [], { progress: options.progress ?? true });
}

/** Starts a fresh real ShoreGuard (building it first when the cache is absent). */
export async function startRealShoreGuard(options: StartRealShoreGuardOptions = {}): Promise<RealShoreGuard> {
  const env: Record<string, string> = { ...options.env };
  if (options.startTimeoutSeconds !== undefined) env.SG_START_TIMEOUT = String(options.startTimeoutSeconds);
  const { stdout, output } = await runScript('start.sh', [], { env, progress: options.progress ?? true });
  const instanceFile = stdout.trim().split('\n').pop() ?? '';
  // Error messages name paths and issues only: the file holds API keys, so no content is quoted.
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(instanceFile, 'utf8'));
  } catch {
    throw new RealShoreGuardError(`start.sh did not leave a readable JSON instance file (${instanceFile || 'no path printed'})`, output);
  }
  const result = InstanceSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`).join(', ');
    throw new RealShoreGuardError(`instance file ${instanceFile} has an unexpected shape (${issues})`, output);
  }
  const parsed = result.data;
  return new RealShoreGuard(instanceFile, parsed);
}
