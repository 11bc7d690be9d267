import { leverSignature, leverSignatureIsValid } from '../../src/lever/webhook-signature';

// Test vector from lever-api.md §2.3.
const vector = {
  key: '3f9c2a7d1e5b4c6a8d0f2e4b6a8c0e2f4a6b8c0d2e4f6a8b',
  token: '5d1b7a3c9e2f4a6b8c0d1e3f5a7b9c2d4e6f8a0b1c3d5e7f',
  triggeredAt: 1700000000000,
  signature: '8912e226e155a26dc9ea02c5e76dc65617948d49c08e95a21924a9e33b1b7c6c',
};

describe('Lever webhook signature', () => {
  it('matches the reference test vector', () => {
    expect(leverSignature(vector.key, vector.token, vector.triggeredAt)).toBe(vector.signature);
  });

  it('accepts the vector when any of several signing tokens matches', () => {
    expect(leverSignatureIsValid(['other-token-aaaaaaaa', vector.key], vector)).toBe(true);
  });

  it.each([
    ['missing signature', { ...vector, signature: undefined }],
    ['wrong signature', { ...vector, signature: vector.signature.replace(/^8/, '9') }],
    ['truncated signature', { ...vector, signature: vector.signature.slice(0, 63) }],
    ['uppercase hex is not what Lever sends', { ...vector, signature: vector.signature.toUpperCase() }],
    ['changed triggeredAt', { ...vector, triggeredAt: vector.triggeredAt + 1 }],
    ['changed token', { ...vector, token: vector.token + 'x' }],
  ])('rejects %s', (_name, body) => {
    expect(leverSignatureIsValid([vector.key], body)).toBe(false);
  });

  it('rejects everything when the integration has no signing token', () => {
    expect(leverSignatureIsValid([], vector)).toBe(false);
  });
});
