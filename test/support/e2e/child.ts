/** One child process run to completion, as a user or CI job runs a command; never rejects. */
import { execFile } from 'node:child_process';

export interface ChildRun {
  /** Exit code; -1 when the process was killed (timeout) or could not start. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly cwd: string;
  /** The whole environment the child sees (nothing leaks in from the test process). */
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
}

export function runChild(file: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  return new Promise((done) => {
    execFile(file, [...args], { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
