/**
 * Benches written as standalone scripts by other issues (bench/client.ts: SDK overhead per
 * request; bench/gitops.ts: the bridge library in-process). Each writes its own
 * bench/results/<name>.md; the runner starts it as a process and takes that markdown into
 * RESULTS.md with its headings one level down.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench, BenchContext, BenchOutcome } from './lib/bench';
import { expectExit, runProcess } from './lib/process';
import { findRepoRoot } from './lib/report';

/** The markdown without its `# title` line, every heading one level deeper (it becomes a section). */
export function demoteHeadings(markdown: string): string {
  const lines = markdown.split('\n');
  const body = lines[0]?.startsWith('# ') ? lines.slice(1) : lines;
  let fenced = false;
  return body
    .map((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return !fenced && /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n')
    .trim();
}

function scriptBench(name: string, title: string, args: (context: BenchContext) => string[]): Bench {
  return {
    name,
    title,
    async run(context: BenchContext): Promise<BenchOutcome> {
      const script = join(__dirname, `${name}.js`);
      if (!existsSync(script)) throw new Error(`${script} is not built (bench/${name}.ts missing or not compiled)`);
      const resultFile = join(findRepoRoot(), 'bench', 'results', `${name}.md`);
      const startedAt = Date.now();
      context.log(`${name}: node ${script} ${args(context).join(' ')}`);
      expectExit(`bench/${name}`, await runProcess(process.execPath, [script, ...args(context)], { rusage: false, timeoutMs: 600_000 }), [0]);
      if (!existsSync(resultFile) || statSync(resultFile).mtimeMs < startedAt) throw new Error(`bench/${name} did not write ${resultFile}`);
      return { markdown: demoteHeadings(readFileSync(resultFile, 'utf8')), checks: [] };
    },
  };
}

export const clientBench = scriptBench('client', 'SDK client overhead per request (bench/client.ts)', () => []);
export const gitopsLibraryBench = scriptBench('gitops', 'GitOps bridge as a library, in-process (bench/gitops.ts)', () => []);
