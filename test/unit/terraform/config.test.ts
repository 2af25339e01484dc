import { clientOptions, parseProviderConfig, validateProviderConfig } from '../../../provider/terraform/config';
import { UNKNOWN } from '../../../provider/terraform/cty';

const noLogger = { warn: () => undefined };

describe('provider block validation', () => {
  test('GIVEN a URL with a path-less scheme error WHEN validated THEN endpoint is the attribute in error', () => {
    const diagnostics = validateProviderConfig({ endpoint: 'ftp://shoreguard' });
    expect(diagnostics).toEqual([expect.objectContaining({ summary: 'Invalid provider endpoint', attribute: { steps: [{ attribute_name: 'endpoint' }] } })]);
  });

  test('GIVEN client_cert without client_key WHEN validated THEN client_key is reported missing', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const diagnostics = validateProviderConfig({ client_cert: pem });
    expect(diagnostics.map((d) => d.attribute?.steps)).toEqual([[{ attribute_name: 'client_key' }]]);
  });

  test('GIVEN an API key with a line break WHEN validated THEN the message does not echo the key', () => {
    const key = 'sg_abc\ndef';
    const diagnostics = validateProviderConfig({ api_key: key });
    expect(diagnostics).toHaveLength(1);
    expect(JSON.stringify(diagnostics)).not.toContain('sg_abc');
  });

  test('GIVEN unknown values and out-of-range numbers WHEN validated THEN only the known bad numbers are reported', () => {
    const diagnostics = validateProviderConfig({ endpoint: UNKNOWN, request_timeout_seconds: 0, max_retries: 2.5 });
    expect(diagnostics.map((d) => d.attribute?.steps[0])).toEqual([{ attribute_name: 'request_timeout_seconds' }, { attribute_name: 'max_retries' }]);
  });
});

describe('client options', () => {
  test('GIVEN seconds and a retry count WHEN mapped THEN the SDK gets milliseconds and attempts (retries + 1)', () => {
    const options = clientOptions(parseProviderConfig({ endpoint: 'https://sg.example.com', connect_timeout_seconds: 2.5, request_timeout_seconds: 60, max_retries: 0 }), noLogger, {});
    expect(options).toMatchObject({ url: 'https://sg.example.com', timeouts: { connectMs: 2500, requestMs: 60_000 }, retry: { maxAttempts: 1 } });
  });

  test('GIVEN no endpoint and no key WHEN mapped THEN both are left to the SDK (SHOREGUARD_URL / SHOREGUARD_TOKEN)', () => {
    const options = clientOptions(parseProviderConfig({ endpoint: null, api_key: null }), noLogger, { SHOREGUARD_URL: 'http://x' });
    expect(options.url).toBeUndefined();
    expect(options.token).toBeUndefined();
    expect(options.env).toEqual({ SHOREGUARD_URL: 'http://x' });
  });
});
