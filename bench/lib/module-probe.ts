/**
 * Preloaded with `node -r dist/bench/lib/module-probe.js <script>`: when the process exits, writes
 * the file names of every CommonJS module it loaded (`require.cache`) as a JSON array to
 * $BENCH_MODULE_PROBE_OUT. Measures what a command loads, never how long it takes (timed runs go
 * without the probe).
 */
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_MODULE_PROBE_OUT;
if (out !== undefined && out !== '') {
  process.once('exit', () => {
    writeFileSync(out, JSON.stringify(Object.keys(require.cache).filter((file) => file !== __filename)));
  });
}

/** The environment variable the probe reads. */
export const MODULE_PROBE_ENV = 'BENCH_MODULE_PROBE_OUT';
