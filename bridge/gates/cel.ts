/**
 * CEL (the expression language of Kubernetes ValidatingAdmissionPolicy and Kyverno) through
 * @marcbachmann/cel-js. The library is an ES module: it is required lazily (Node >= 22 loads ES
 * modules with require), so commands without `--rules` never load it.
 *
 * Every variable a scope offers is declared, so a misspelt variable fails when the rule file
 * loads, not when the first document reaches the rule.
 */
import type { Environment } from '@marcbachmann/cel-js' with { 'resolution-mode': 'import' };
import { SCOPE_VARIABLES, type ScopeName } from './view';

type CelModule = typeof import('@marcbachmann/cel-js', { with: { 'resolution-mode': 'import' } });

let cel: CelModule | undefined;
function celModule(): CelModule {
  try {
    return (cel ??= require('@marcbachmann/cel-js') as CelModule);
  } catch (error) {
    // Node < 22.12 cannot require an ES module without --experimental-require-module.
    if ((error as { code?: unknown }).code === 'ERR_REQUIRE_ESM') throw new Error(`CEL rules need Node.js >= 22.12 (this is ${process.version})`);
    throw error;
  }
}

/** Variables every scope has. */
export const DOCUMENT_VARIABLES = ['document', 'policy', 'metadata', 'target'] as const;

export type CelProgram = (vars: Readonly<Record<string, unknown>>) => unknown;

const environments = new Map<ScopeName, Environment>();

function environment(scope: ScopeName): Environment {
  let env = environments.get(scope);
  if (env === undefined) {
    const { Environment } = celModule();
    env = new Environment({ homogeneousAggregateLiterals: false });
    for (const name of [...DOCUMENT_VARIABLES, ...SCOPE_VARIABLES[scope]]) env.registerVariable(name, 'dyn');
    environments.set(scope, env);
  }
  return env;
}

export type CompileResult = { readonly ok: true; readonly program: CelProgram; readonly type: string } | { readonly ok: false; readonly message: string };

/** Parses and type-checks an expression for a scope; `expect` is the result type it must have. */
export function compileCel(expression: string, scope: ScopeName, expect: 'bool' | 'string'): CompileResult {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = environment(scope).parse(expression);
  } catch (error) {
    return { ok: false, message: firstLine(error) };
  }
  const checked = parsed.check();
  if (!checked.valid) return { ok: false, message: firstLine(checked.error) };
  const type = checked.type ?? 'dyn';
  if (type !== expect && type !== 'dyn') return { ok: false, message: `the expression is of type ${type}, expected ${expect}` };
  return { ok: true, type, program: (vars) => parsed(vars) };
}

/** The library's messages carry a source excerpt on the next lines; the first line says it all. */
export function firstLine(error: unknown): string {
  const message = typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
  return message.split('\n')[0]!.trim();
}
