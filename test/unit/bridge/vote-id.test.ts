import { canonicalizeText } from '../../../bridge/document/canonical';
import { voteChunkId } from '../../../bridge/document/vote-id';
import { SHOREGUARD_EXPORT } from './examples';

describe('voteChunkId', () => {
  test.each([
    ['policy: {}\n', 'policy.apply:5c23dcec03d9af61'],
    ['policy: {}', 'policy.apply:b4f240489f4610e3'],
    ['policy: {}\r\n', 'policy.apply:6c4c47411a4079f7'],
  ])('GIVEN the verified vector %j WHEN hashed THEN %s', (yaml, id) => {
    expect(voteChunkId(yaml)).toBe(id);
  });

  test('GIVEN non-ASCII text WHEN hashed THEN the UTF-8 bytes are hashed (not UTF-16)', () => {
    // sha256("é") over UTF-8 bytes C3 A9.
    expect(voteChunkId('é')).toBe('policy.apply:4a99557e4033c353');
  });

  test('GIVEN LF and CRLF checkouts of one policy WHEN each voter canonicalizes THEN both get the same vote id', () => {
    const lf = voteChunkId(canonicalizeText(SHOREGUARD_EXPORT));
    const crlf = voteChunkId(canonicalizeText(SHOREGUARD_EXPORT.replace(/\n/g, '\r\n')));
    expect(crlf).toBe(lf);
    expect(voteChunkId(SHOREGUARD_EXPORT.replace(/\n/g, '\r\n'))).not.toBe(voteChunkId(SHOREGUARD_EXPORT));
  });
});
