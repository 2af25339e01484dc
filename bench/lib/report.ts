/** Markdown output of benchmarks: tables, number formatting, and files under bench/results/. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform } from 'node:os';
import { dirname, join } from 'node:path';

export type Cell = string | number;

/** Column alignment in a markdown table. */
export type Align = 'left' | 'right';

/** A GitHub-flavoured markdown table; numbers are right-aligned unless `align` says otherwise. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[], align?: readonly Align[]): string {
  const alignment = headers.map((_, column) => align?.[column] ?? (typeof rows[0]?.[column] === 'number' ? 'right' : 'left'));
  const escape = (cell: Cell): string => String(cell).replace(/\|/g, '\\|');
  const line = (cells: readonly Cell[]): string => `| ${cells.map(escape).join(' | ')} |`;
  const rule = `|${alignment.map((side) => (side === 'right' ? '---:' : ':---')).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Rounds to `digits` decimals and groups thousands (`12 345.6`), for readable tables. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  const [whole = '', fraction] = value.toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/**
 * One line describing the machine, runtime and its load, so figures from different hosts (or a
 * busy machine) are not compared blindly.
 */
export function environmentLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const [oneMinute = Number.NaN] = loadavg();
  return `Node ${process.versions.node}, ${platform()}/${arch()}, ${cpus().length} × ${cpu}, load average ${formatNumber(oneMinute, 1)}`;
}

/** The repository root: the nearest directory above `start` whose package.json is this package. */
export function findRepoRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'shoreguard-iac') return dir;
    if (dirname(dir) === dir) throw new Error(`no shoreguard-iac package.json above ${start}`);
  }
}

/** Writes `bench/results/<name>.md` in the repository and returns its path. */
export function writeResult(name: string, markdown: string): string {
  const dir = join(findRepoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.md`);
  writeFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
  return file;
}
