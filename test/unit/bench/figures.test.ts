import { censusOf, fleetFloorMs, formatRatio, packageOf, requestExcess } from '../../../bench/lib/figures';

describe('fleet floor', () => {
  test('GIVEN 500 targets at concurrency 8 and 25 ms WHEN the floor is computed THEN it counts whole rounds (63 × 25 ms)', () => {
    expect(fleetFloorMs(500, 8, 25)).toBe(1575);
  });

  test('GIVEN a target count divisible by the concurrency WHEN the floor is computed THEN it equals targets / concurrency × latency', () => {
    expect(fleetFloorMs(100, 10, 25)).toBe(250);
  });

  test('GIVEN two requests per target WHEN the floor is computed THEN it doubles', () => {
    expect(fleetFloorMs(16, 8, 10, 2)).toBe(40);
  });

  test('GIVEN zero latency WHEN the floor is computed THEN it is 0 and the ratio reads n/a', () => {
    expect(fleetFloorMs(10, 8, 0)).toBe(0);
    expect(formatRatio(300, 0)).toBe('n/a');
  });

  test('GIVEN a concurrency of 0 WHEN the floor is computed THEN it throws a RangeError naming the value', () => {
    expect(() => fleetFloorMs(10, 0, 25)).toThrow(/concurrency must be a positive integer, got 0/);
  });
});

describe('request excess', () => {
  const apply = 'POST /api/gateways/{gw}/sandboxes/{name}/policy/apply';
  const decisions = 'GET /api/gateways/{gw}/sandboxes/{name}/approvals/{chunk_id}/decisions';

  test('GIVEN a drifted plan that also read each vote pool WHEN compared per route THEN the vote reads are the excess', () => {
    const excess = requestExcess({ [apply]: 10, [decisions]: 10 }, { [apply]: 10 });
    expect(excess).toEqual({ total: 20, allowed: 10, excess: 10, extraRoutes: [{ route: decisions, extra: 10 }] });
  });

  test('GIVEN an apply within two requests per target WHEN compared with the total cap THEN there is no excess', () => {
    const excess = requestExcess({ [apply]: 10, [decisions]: 10 }, { [apply]: 10 }, 20);
    expect(excess.excess).toBe(0);
    expect(excess.extraRoutes).toEqual([]);
  });

  test('GIVEN an apply over the total cap WHEN compared THEN the excess is what exceeds the cap and the routes beyond the base are named', () => {
    const excess = requestExcess({ [apply]: 2, [decisions]: 2 }, { [apply]: 1 }, 2);
    expect(excess.excess).toBe(2);
    expect(excess.extraRoutes).toEqual([
      { route: decisions, extra: 2 },
      { route: apply, extra: 1 },
    ]);
  });
});

describe('loaded-module census', () => {
  test('GIVEN scoped and plain node_modules paths WHEN the package is read THEN the scope is kept', () => {
    expect(packageOf('/repo/node_modules/@grpc/grpc-js/build/src/index.js')).toBe('@grpc/grpc-js');
    expect(packageOf('/repo/node_modules/zod/v4/index.cjs')).toBe('zod');
    expect(packageOf('/repo/node_modules/a/node_modules/undici/index.js')).toBe('undici');
    expect(packageOf('/repo/dist/bridge/cli.js')).toBeNull();
  });

  test('GIVEN the CLI loaded gRPC, protobuf and our Pulumi front-end WHEN censused THEN each is flagged forbidden', () => {
    const census = censusOf([
      '/repo/dist/bridge/cli.js',
      '/repo/dist/provider/pulumi/index.js',
      '/repo/node_modules/@grpc/grpc-js/build/src/index.js',
      '/repo/node_modules/protobufjs/index.js',
      '/repo/node_modules/zod/index.cjs',
      '/repo/node_modules/zod/v4/core.cjs',
    ]);
    expect(census.total).toBe(6);
    expect(census.own).toBe(2);
    expect(census.packages).toEqual([
      { name: 'zod', files: 2 },
      { name: '@grpc/grpc-js', files: 1 },
      { name: 'protobufjs', files: 1 },
    ]);
    expect(census.forbidden).toEqual([
      '/repo/dist/provider/pulumi/index.js',
      '/repo/node_modules/@grpc/grpc-js/build/src/index.js',
      '/repo/node_modules/protobufjs/index.js',
    ]);
  });

  test('GIVEN only commander, zod and undici WHEN censused THEN nothing is forbidden', () => {
    const census = censusOf(['/r/node_modules/commander/index.js', '/r/node_modules/zod/index.cjs', '/r/node_modules/undici/index.js', '/r/dist/sdk/index.js']);
    expect(census.forbidden).toEqual([]);
  });
});
