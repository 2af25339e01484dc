import { parsePyIsoDatetime, pyB64DecodedLength, pyIsoFormat, pyJsonDumps, pyRepr, pyTitle } from '../../../emulator/core/python';
import { applyChunkId } from '../../../emulator/policy/hash';
import { problemCodeForStatus, problemTitle } from '../../../emulator/quirks';
import { vectors } from './vectors';

describe('Python built-ins ShoreGuard puts on the wire', () => {
  it.each(vectors.repr.map((vector) => [vector.repr, vector] as const))('GIVEN a value WHEN repr() THEN %s', (_label, vector) => {
    expect(pyRepr(vector.value)).toBe(vector.repr);
  });

  it('GIVEN the §10.7 test vectors WHEN the vote chunk id is computed THEN it matches', () => {
    expect(applyChunkId('policy: {}\n')).toBe('policy.apply:5c23dcec03d9af61');
    expect(applyChunkId('policy: {}')).toBe('policy.apply:b4f240489f4610e3');
    expect(applyChunkId('policy: {}\r\n')).toBe('policy.apply:6c4c47411a4079f7');
    for (const [text, id] of Object.entries(vectors.vote_ids)) expect(applyChunkId(text)).toBe(id);
  });

  it('GIVEN error codes WHEN titled THEN they follow str.title() and 423 maps to INTERNAL_ERROR', () => {
    expect(problemTitle('GATEWAY_NOT_CONNECTED')).toBe('Gateway Not Connected');
    expect(problemTitle(problemCodeForStatus(423))).toBe('Internal Error');
    expect(problemCodeForStatus(401)).toBe('AUTHENTICATION_REQUIRED');
    expect(pyTitle("it's x2y")).toBe("It'S X2Y");
  });

  it('GIVEN instants WHEN isoformat() THEN microseconds are dropped only when zero and the offset is optional', () => {
    const base = Date.UTC(2026, 3, 20, 12, 0, 0) * 1000;
    expect(pyIsoFormat(base, true)).toBe('2026-04-20T12:00:00+00:00');
    expect(pyIsoFormat(base + 123456, false)).toBe('2026-04-20T12:00:00.123456');
  });

  it.each([
    ['2030-01-01', '2030-01-01T00:00:00', null],
    ['2030-01-01T10:00:00Z', '2030-01-01T10:00:00', 0],
    ['2030-01-01T10:00:00+02:00', '2030-01-01T10:00:00', 7_200_000_000],
    ['2030-01-01 10:30', '2030-01-01T10:30:00', null],
    ['20300101T103000.5-0130', '2030-01-01T10:30:00.500000', -5_400_000_000],
  ])('GIVEN %s WHEN fromisoformat THEN wall clock %s and offset %s µs', (text, wallClock, offset) => {
    const parsed = parsePyIsoDatetime(text);
    expect(parsed && pyIsoFormat(parsed.wallClockMicros, false)).toBe(wallClock);
    expect(parsed?.offsetMicros).toBe(offset);
  });

  it.each(['next week', '2030-13-01', '2030-02-30T00:00', '2030-01-01T25:00', '2030-01-01T'])('GIVEN %j WHEN fromisoformat THEN it is rejected', (text) => {
    expect(parsePyIsoDatetime(text)).toBeNull();
  });

  it('GIVEN metadata WHEN json.dumps() THEN separators and ASCII escapes match Python', () => {
    expect(pyJsonDumps({ a: [1, 'é'], b: null })).toBe('{"a": [1, "\\u00e9"], "b": null}');
  });

  it('GIVEN base64 text WHEN decoded like b64decode THEN padding errors carry binascii messages', () => {
    expect(pyB64DecodedLength('aGVsbG8=')).toEqual({ length: 5 });
    expect(pyB64DecodedLength('aGVsbG8')).toEqual({ error: 'Incorrect padding' });
    expect(pyB64DecodedLength('a')).toEqual({
      error: 'Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4',
    });
  });
});
