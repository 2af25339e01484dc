import { ValidationError } from '../../../sdk/errors';
import { createRedactor } from '../../../sdk/secret';
import { invalidInput } from '../../../provider/resources/errors';
import { errorDiagnostics, parseAttributePath } from '../../../provider/terraform/diagnostics';

describe('attribute paths', () => {
  test.each([
    ['name', [{ attribute_name: 'name' }]],
    ['labels.team', [{ attribute_name: 'labels' }, { element_key_string: 'team' }]],
    ['labels["a.b"]', [{ attribute_name: 'labels' }, { element_key_string: 'a.b' }]],
    ['required_roles[1]', [{ attribute_name: 'required_roles' }, { element_key_int: 1 }]],
  ])('GIVEN %s WHEN parsed THEN the steps are attribute then key/index', (reference, steps) => {
    expect(parseAttributePath(reference)).toEqual({ steps });
  });
});

describe('errors as diagnostics', () => {
  const attributes = new Set(['gateway', 'sandbox_name', 'reason']);
  const redact = createRedactor([]);

  test('GIVEN a handler validation error with two problems THEN there is one diagnostic per attribute', () => {
    const error = invalidInput('shoreguard_policy_pin', [
      { attribute: 'expires_at', message: 'must be in the future' },
      { attribute: 'reason', message: 'too long' },
    ]);
    const diagnostics = errorDiagnostics('shoreguard_policy_pin: apply', error, attributes, redact);
    expect(diagnostics.map((d) => d.attribute?.steps)).toEqual([[{ attribute_name: 'expires_at' }], [{ attribute_name: 'reason' }]]);
    expect(diagnostics[0]?.detail).toBe('shoreguard_policy_pin.expires_at: must be in the future');
  });

  test('GIVEN a ShoreGuard 422 naming a body field WHEN it is an attribute THEN the diagnostic points at it', () => {
    const error = new ValidationError({
      code: 'validation',
      summary: 'ShoreGuard rejected the request',
      status: 422,
      method: 'POST',
      path: '/api/gateways/gw/sandboxes/sb/policy/pin',
      issues: [{ type: 'value_error', loc: ['body', 'reason'], msg: 'String should have at most 500 characters' }],
    });
    const [diagnostic] = errorDiagnostics('shoreguard_policy_pin: apply', error, attributes, redact);
    expect(diagnostic?.summary).toBe('shoreguard_policy_pin: apply failed: ShoreGuard 422 validation');
    expect(diagnostic?.attribute).toEqual({ steps: [{ attribute_name: 'reason' }] });
    expect(diagnostic?.detail).toContain('body.reason: String should have at most 500 characters');
  });

  test('GIVEN an error message holding a configured secret WHEN converted THEN the secret is redacted', () => {
    const secret = 'very-secret-client-key-material';
    const [diagnostic] = errorDiagnostics('x', new Error(`tls failed with ${secret}`), attributes, createRedactor([secret]));
    expect(diagnostic?.detail).toBe('tls failed with [REDACTED]');
  });
});
