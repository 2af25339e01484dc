import { runInNewContext } from 'node:vm';
import { shapeOf, snapshotEntrySource } from '../../../scripts/release/bundle';
import { DEFERRED_RUNTIME } from '../../../scripts/release/deferred-runtime';

/** Loads the stand-in runtime with a switch for "the snapshot is being built". */
function loadRuntime() {
  const state = { building: true };
  const module = { exports: {} as { defer(name: string, load: () => unknown, shape: unknown): Record<string, unknown> } };
  const fakeRequire = (id: string) => {
    if (id !== 'node:v8') throw new Error(`unexpected require ${id}`);
    return { startupSnapshot: { isBuildingSnapshot: () => state.building } };
  };
  runInNewContext(`(function (require, module, exports) {${DEFERRED_RUNTIME}\n})`, { Proxy, Reflect, Object, Map, Error, String })(fakeRequire, module, module.exports);
  return { state, defer: module.exports.defer };
}

class RealMessage {
  constructor(readonly text: string) {}
}
const realModule = { STATUS_CODES: { 200: 'OK' }, METHOD_COUNT: 3, IncomingMessage: RealMessage, request: (url: string) => `requested ${url}` };

describe('deferred built-ins of the release bundle', () => {
  test('GIVEN the snapshot being built WHEN a deferred module is destructured THEN primitives come from its shape and the real module is not loaded', () => {
    const { defer } = loadRuntime();
    let loads = 0;
    const standIn = defer('http', () => (loads++, realModule), shapeOf(realModule));
    const { METHOD_COUNT, STATUS_CODES, IncomingMessage } = standIn as { METHOD_COUNT: number; STATUS_CODES: Record<string, string>; IncomingMessage: unknown };
    expect(METHOD_COUNT).toBe(3);
    expect(STATUS_CODES['200']).toBe('OK');
    expect(typeof IncomingMessage).toBe('function');
    expect(Object.keys(standIn).sort()).toEqual(['IncomingMessage', 'METHOD_COUNT', 'STATUS_CODES', 'request']);
    expect(loads).toBe(0);
  });

  test('GIVEN the snapshot being built WHEN a deferred function is called THEN the build fails naming the module and member', () => {
    const { defer } = loadRuntime();
    const { request } = defer('http', () => realModule, shapeOf(realModule)) as { request: (u: string) => string };
    expect(() => request('x')).toThrow(/built-in "http\.request" was used while the startup snapshot was built/);
  });

  test('GIVEN stand-ins captured while building WHEN used after start-up THEN they call, construct and match the real module once loaded', () => {
    const { state, defer } = loadRuntime();
    let loads = 0;
    const standIn = defer('http', () => (loads++, realModule), shapeOf(realModule)) as typeof realModule;
    const { request, IncomingMessage } = standIn;
    state.building = false;
    expect(request('https://x')).toBe('requested https://x');
    const message = new IncomingMessage('hi');
    expect(message).toBeInstanceOf(RealMessage);
    expect(new RealMessage('x') instanceof IncomingMessage).toBe(true);
    expect(standIn.METHOD_COUNT).toBe(3);
    expect(loads).toBe(1);
  });
});

describe('the snapshot entry', () => {
  const modules = ['/r/dist/bridge/cli.js', '/r/dist/sdk/index.js'];

  test('GIVEN an entry that exports main WHEN the entry source is made THEN every module, the entry too, is preloaded and main gets the arguments', () => {
    const source = snapshotEntrySource({ name: 'shoreguard-gitops', entry: '/r/dist/bridge/cli.js', start: 'exported-main' }, modules);
    expect(source).toContain('["/r/dist/bridge/cli.js", () => require("/r/dist/bridge/cli.js")]');
    expect(source).toContain('entry.main(process.argv.slice(2))');
  });

  test('GIVEN an entry whose top level is the program WHEN the entry source is made THEN it is not preloaded but required at start-up', () => {
    const source = snapshotEntrySource({ name: 'terraform-provider-shoreguard', entry: '/r/dist/bridge/cli.js', start: 'top-level' }, modules);
    expect(source).not.toContain('["/r/dist/bridge/cli.js"');
    expect(source).toContain('["/r/dist/sdk/index.js", () => require("/r/dist/sdk/index.js")]');
    expect(source).toMatch(/setDeserializeMainFunction\(\(\) => \{\n {2}require\("\/r\/dist\/bridge\/cli\.js"\);/);
  });
});
