import { ConfigError, loadConfig, requireExternal } from '../src/config';

describe('configuration', () => {
  it('applies defaults for an empty environment', () => {
    const cfg = loadConfig({});
    expect(cfg.PORT).toBe(3000);
    expect(cfg.DATA_DIR).toBe('.data');
    expect(cfg.leverApiUrl).toBe('https://api.lever.co/v1');
    expect(cfg.useSandboxes).toBe(true);
    expect(cfg.publicUrl).toBe('http://localhost:3000');
    expect(cfg.DATABASE_URL).toBeUndefined();
  });

  it('names the variable that is wrong and never echoes its value', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ADMIN_TOKEN: 'short-secret' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('ADMIN_TOKEN');
    expect(message).not.toContain('short-secret');
  });

  it('rejects a malformed URL', () => {
    expect(() => loadConfig({ LEVER_API_URL: 'not a url' })).toThrow(/LEVER_API_URL/);
  });

  it('uses the sandboxes only when no real API is configured', () => {
    expect(loadConfig({ LEVER_API_URL: 'https://api.sandbox.lever.co/v1/' })).toMatchObject({ useSandboxes: false, leverApiUrl: 'https://api.sandbox.lever.co/v1' });
    expect(loadConfig({ SANDBOX: 'off' }).useSandboxes).toBe(false);
    expect(loadConfig({ SANDBOX: 'on', LEVER_API_URL: 'https://api.lever.co/v1' }).useSandboxes).toBe(true);
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://hooks.example.com/' }).publicUrl).toBe('https://hooks.example.com');
  });

  it('keeps CodeSignal deliveries for 18 days by default, longer than CodeSignal retries them (≈16.6 days)', () => {
    expect(loadConfig({}).CODESIGNAL_WEBHOOK_MAX_AGE_DAYS).toBe(18);
    expect(loadConfig({ CODESIGNAL_WEBHOOK_MAX_AGE_DAYS: '20.5' }).CODESIGNAL_WEBHOOK_MAX_AGE_DAYS).toBe(20.5);
    for (const wrong of ['0', '-1', 'ten', '366']) expect(() => loadConfig({ CODESIGNAL_WEBHOOK_MAX_AGE_DAYS: wrong })).toThrow(/CODESIGNAL_WEBHOOK_MAX_AGE_DAYS/);
  });

  it('production entry points demand external servers', () => {
    expect(() => requireExternal(loadConfig({}), 'DATABASE_URL', 'TEMPORAL_ADDRESS')).toThrow(/DATABASE_URL, TEMPORAL_ADDRESS/);
  });
});
