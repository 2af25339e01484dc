/**
 * The real OPA for the Rego tests: built (or reused) by scripts/engines/build-opa.sh from the Go
 * module proxy into .cache/engines/opa. The tests compile Rego to wasm with it exactly as users
 * do (`opa build -t wasm`), then the bridge evaluates the wasm in-process.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** A first build downloads modules and compiles on 2 shared cores. */
export const OPA_BUILD_TIMEOUT_MS = 30 * 60 * 1000;

let built: Promise<string> | undefined;

/** The path of the opa binary (builds it when missing; the script is idempotent and locked). */
export function ensureOpa(): Promise<string> {
  built ??= promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts/engines/build-opa.sh')], { cwd: REPO_ROOT, timeout: OPA_BUILD_TIMEOUT_MS }).then(
    ({ stdout }) => path.join(stdout.trim().split('\n').pop() ?? '', 'opa'),
    (error: unknown) => {
      throw new Error(`building opa failed (scripts/engines/build-opa.sh): ${String((error as { stderr?: unknown }).stderr ?? error).slice(-4000)}`);
    },
  );
  return built;
}

/** `opa build -t wasm -e <entrypoint> -o <out> <rego>`: the bundle users commit or build in CI. */
export async function buildWasmBundle(opa: string, rego: string, entrypoint: string, out: string): Promise<void> {
  await promisify(execFile)(opa, ['build', '-t', 'wasm', '-e', entrypoint, '-o', out, rego], { timeout: 120_000 });
}
