/**
 * Rego (conftest/OPA policies) through OPA's WebAssembly build, evaluated in-process with
 * @open-policy-agent/opa-wasm. A rule file names either
 * - `wasm:` a prebuilt `policy.wasm` or the bundle `opa build -t wasm -e <entrypoint>` writes
 *   (`bundle.tar.gz`): no build step at run time, nothing but Node needed in CI; or
 * - `rego:` a `.rego` source, compiled once per run with the `opa` binary (`$SHOREGUARD_OPA`, else
 *   `opa` on PATH) — handy locally, but CI then needs OPA installed. `v0Compatible: true` builds
 *   pre-1.0 Rego (`deny[msg] { … }`, as older conftest policies are written).
 *
 * The entrypoint's value is the set of violations, as conftest writes them: strings, or objects
 * `{msg, path?}` where `path` is a list of keys (`["policy", "network_policies", "github"]`) or a
 * dotted string; `true` alone (a boolean rule) is one violation with the rule's message.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { describeThrown } from '../core/errors';
import type { PathSegment } from '../core/problems';
import type { RawFinding } from './types';

type OpaModule = typeof import('@open-policy-agent/opa-wasm');
export type LoadedRego = Awaited<ReturnType<OpaModule['loadPolicy']>>;

export class RegoLoadError extends Error {}

/** `policy.wasm` out of an OPA bundle (a gzipped tar); ustar headers are 512-byte blocks. */
export function wasmFromBundle(bundle: Buffer): Buffer {
  const tar = gunzipSync(bundle);
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const body = offset + 512;
    if (name.replace(/^\.?\//, '') === 'policy.wasm') return Buffer.from(tar.subarray(body, body + size));
    offset = body + Math.ceil(size / 512) * 512;
  }
  throw new RegoLoadError('the bundle has no policy.wasm (build it with `opa build -t wasm -e <entrypoint>`)');
}

function opaBinary(env: NodeJS.ProcessEnv): string {
  return env['SHOREGUARD_OPA'] !== undefined && env['SHOREGUARD_OPA'] !== '' ? env['SHOREGUARD_OPA'] : 'opa';
}

/** Compiles a `.rego` file with `opa build -t wasm` and returns its policy.wasm. */
async function compileRego(file: string, entrypoint: string, env: NodeJS.ProcessEnv, v0Compatible: boolean): Promise<Buffer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shoreguard-rego-'));
  const out = path.join(dir, 'bundle.tar.gz');
  const opa = opaBinary(env);
  try {
    const args = ['build', '-t', 'wasm', '-e', entrypoint, '-o', out, ...(v0Compatible ? ['--v0-compatible'] : []), file];
    await promisify(execFile)(opa, args, { timeout: 120_000 });
    return wasmFromBundle(await fs.readFile(out));
  } catch (error) {
    if (error instanceof RegoLoadError) throw error;
    const { message, code } = describeThrown(error);
    if (code === 'ENOENT')
      throw new RegoLoadError(
        `compiling ${file} needs the opa binary (${opa} not found; set SHOREGUARD_OPA or put opa on PATH), or build it once: opa build -t wasm -e ${entrypoint} ${file}, then use wasm: bundle.tar.gz`,
      );
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new RegoLoadError(`opa build failed: ${typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : message}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Loads a Rego policy from `wasm` (a .wasm or bundle .tar.gz) or `rego` (a .rego source). */
export async function loadRego(
  source: { readonly wasm?: string; readonly rego?: string; readonly v0Compatible?: boolean },
  entrypoint: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedRego> {
  let wasm: Buffer;
  if (source.rego !== undefined) wasm = await compileRego(source.rego, entrypoint, env, source.v0Compatible === true);
  else {
    const bytes = await fs.readFile(source.wasm!).catch((error: unknown) => {
      throw new RegoLoadError(`cannot read ${source.wasm}: ${describeThrown(error).message}`);
    });
    wasm = bytes[0] === 0x1f && bytes[1] === 0x8b ? wasmFromBundle(bytes) : bytes;
  }
  const { loadPolicy } = require('@open-policy-agent/opa-wasm') as OpaModule;
  let policy: LoadedRego;
  try {
    policy = await loadPolicy(wasm);
  } catch (error) {
    throw new RegoLoadError(`not an OPA wasm module: ${describeThrown(error).message}`);
  }
  const entrypoints = Object.keys((policy.entrypoints ?? {}) as Record<string, number>);
  if (!entrypoints.includes(entrypoint)) throw new RegoLoadError(`the module has no entrypoint ${JSON.stringify(entrypoint)} (it has: ${entrypoints.join(', ') || 'none'})`);
  return policy;
}

function toPath(value: unknown): PathSegment[] | undefined {
  if (Array.isArray(value) && value.every((s) => typeof s === 'string' || typeof s === 'number')) return value as PathSegment[];
  if (typeof value === 'string' && value !== '') return value.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return undefined;
}

/** Runs the entrypoint over one input; the violations it returns as raw findings. */
export function evaluateRego(policy: LoadedRego, entrypoint: string, input: unknown, fallbackMessage: string): RawFinding[] {
  const results = policy.evaluate(input, entrypoint) as { result?: unknown }[];
  const value = results[0]?.result;
  if (value === undefined || value === false || value === null) return [];
  if (value === true) return [{ path: ['policy'], message: fallbackMessage }];
  const items = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : [value];
  return items.map((item) => {
    if (typeof item === 'string') return { path: ['policy'], message: item };
    const record = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const message = typeof record['msg'] === 'string' ? record['msg'] : typeof record['message'] === 'string' ? record['message'] : fallbackMessage;
    return { path: toPath(record['path']) ?? ['policy'], message };
  });
}
