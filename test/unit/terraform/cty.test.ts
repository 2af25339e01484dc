import { decode } from '@msgpack/msgpack';
import { conform, ctyEqual, CtyTypeError, type CtyValue, decodeJson, decodeMsgpack, encodeMsgpack, isWhollyKnown, parseCtyType, UNKNOWN, type CtyType } from '../../../provider/terraform/cty';

const objectType: CtyType = parseCtyType([
  'object',
  { name: 'string', count: 'number', enabled: 'bool', labels: ['map', 'string'], roles: ['list', 'string'] },
]);

describe('cty msgpack codec', () => {
  test('GIVEN an object value WHEN encoded THEN every attribute is present, null when unset', () => {
    const bytes = encodeMsgpack(objectType, { name: 'edge', count: 2 });
    expect(decode(bytes)).toEqual({ name: 'edge', count: 2, enabled: null, labels: null, roles: null });
  });

  test('GIVEN an unknown attribute WHEN encoded THEN it is msgpack fixext1 type 0, as cty writes it', () => {
    const bytes = encodeMsgpack({ kind: 'string' }, UNKNOWN);
    expect([...bytes]).toEqual([0xd4, 0x00, 0x00]);
  });

  test('GIVEN unknowns (plain and refined) on the wire WHEN decoded THEN both are UNKNOWN', () => {
    // fixmap(2) "name" → fixext1 type 0; "count" → ext8 len 2 type 12 (a refined unknown).
    const wire = Uint8Array.from([0x82, 0xa4, ...Buffer.from('name'), 0xd4, 0x00, 0x00, 0xa5, ...Buffer.from('count'), 0xc7, 0x02, 0x0c, 0x81, 0x01]);
    const value = decodeMsgpack(objectType, wire) as Record<string, unknown>;
    expect(value['name']).toBe(UNKNOWN);
    expect(value['count']).toBe(UNKNOWN);
    expect(value['labels']).toBeNull();
  });

  test('GIVEN a round trip WHEN a value holds collections and unknown elements THEN it decodes to the same value', () => {
    const value: CtyValue = { name: 'x', count: 1.5, enabled: true, labels: { a: 'b', c: UNKNOWN }, roles: ['admin', UNKNOWN] };
    const back = decodeMsgpack(objectType, encodeMsgpack(objectType, value));
    expect(ctyEqual(back, value)).toBe(true);
    expect(isWhollyKnown(back)).toBe(false);
  });

  test('GIVEN an empty payload WHEN decoded THEN the value is null', () => {
    expect(decodeMsgpack(objectType, new Uint8Array(0))).toBeNull();
  });

  test('GIVEN a number as decimal string (cty big numbers) WHEN conformed THEN it is a number', () => {
    expect(conform({ kind: 'number' }, '12.25')).toBe(12.25);
  });

  test('GIVEN an attribute the type lacks WHEN conformed THEN a CtyTypeError names its path', () => {
    expect(() => conform(objectType, { name: 'x', extra: 1 })).toThrow(CtyTypeError);
    expect(() => conform(objectType, { name: 'x', extra: 1 })).toThrow(/^extra: unsupported attribute$/);
  });

  test('GIVEN a wrong element type WHEN conformed THEN the error names the element path', () => {
    expect(() => conform(objectType, { roles: ['a', { b: 1 }] })).toThrow('roles[1]: expected string, got an object');
  });

  test('GIVEN JSON raw state WHEN decoded THEN it follows the same type rules', () => {
    expect(decodeJson(objectType, '{"name":"a","count":"3"}')).toEqual({ name: 'a', count: 3, enabled: null, labels: null, roles: null });
  });

  test('GIVEN types this provider does not model WHEN parsed THEN parsing fails with the type', () => {
    expect(() => parseCtyType('dynamic')).toThrow(/unsupported cty type "dynamic"/);
    expect(() => parseCtyType(['tuple', ['string']])).toThrow(/unsupported cty type/);
  });
});

describe('ctyEqual', () => {
  test('GIVEN maps with different key order THEN they are equal; lists with different order are not', () => {
    expect(ctyEqual({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(ctyEqual(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(ctyEqual(UNKNOWN, UNKNOWN)).toBe(true);
    expect(ctyEqual(UNKNOWN, null)).toBe(false);
  });
});
