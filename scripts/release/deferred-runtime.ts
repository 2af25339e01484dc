/**
 * The source of the deferred built-in stand-ins the bundle gets (see bundle.ts). Kept as a string:
 * it is bundled into the binaries, not run by the build.
 *
 * A stand-in answers for a built-in Node cannot put in a startup snapshot (http, tls, …). While
 * the snapshot is built it serves the module's shape (recorded from the same Node release):
 * primitives as values, functions and objects as proxies; using one of them for real at that time
 * fails the build with the module and member named. After start-up every access goes to the real
 * module, loaded on first use.
 */
export const DEFERRED_RUNTIME = String.raw`
'use strict';
const { startupSnapshot } = require('node:v8');
const building = () => startupSnapshot.isBuildingSnapshot();

function tooEarly(path) {
  return new Error('release build: the built-in "' + path + '" was used while the startup snapshot was built, and Node cannot snapshot that ' +
    'module. Use it inside a function (not at module top level), or see scripts/release/README.md (adding a dependency).');
}

function lazyFunction(resolve, path) {
  const real = () => { if (building()) throw tooEarly(path); return resolve(); };
  return new Proxy(function deferred() {}, {
    apply: (_, self, args) => Reflect.apply(real(), self, args),
    construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget),
    get: (_, key) => real()[key],
    set: (_, key, value) => { real()[key] = value; return true; },
    has: (_, key) => key in real(),
  });
}

function standIn(shape, resolve, path) {
  const made = new Map();
  const fromShape = (key) => {
    if (made.has(key)) return made.get(key);
    const member = Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined;
    let value;
    if (member === undefined) value = undefined;
    else if (member.kind === 'value') value = member.value;
    else if (member.kind === 'function') value = lazyFunction(() => resolve()[key], path + '.' + key);
    else value = standIn(member.shape, () => resolve()[key], path + '.' + key);
    made.set(key, value);
    return value;
  };
  const descriptor = (value) => ({ value, writable: true, enumerable: true, configurable: true });
  return new Proxy(Object.create(null), {
    get: (_, key) => (building() ? (typeof key === 'string' ? fromShape(key) : undefined) : resolve()[key]),
    set: (_, key, value) => { if (building()) throw tooEarly(path + '.' + String(key)); resolve()[key] = value; return true; },
    has: (_, key) => (building() ? Object.prototype.hasOwnProperty.call(shape, key) : key in resolve()),
    ownKeys: () => (building() ? Object.keys(shape) : Reflect.ownKeys(resolve())),
    getOwnPropertyDescriptor: (_, key) => {
      if (building()) return Object.prototype.hasOwnProperty.call(shape, key) ? descriptor(fromShape(key)) : undefined;
      const real = Reflect.getOwnPropertyDescriptor(resolve(), key);
      return real === undefined ? undefined : { ...real, configurable: true };
    },
    getPrototypeOf: () => (building() ? Object.prototype : Reflect.getPrototypeOf(resolve())),
  });
}

exports.defer = function defer(name, load, shape) {
  let real;
  const resolve = () => {
    if (real === undefined) {
      if (building()) throw tooEarly(name);
      real = load();
    }
    return real;
  };
  return standIn(shape, resolve, name);
};
`;
