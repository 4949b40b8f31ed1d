import { assertCanReach, mintToken, verifyBearer, AuthError } from '../../api/auth';
import { loadEnv, parseDuration } from '../../env';

describe('tokens', () => {
  test('a minted token verifies with its claims; another secret or an expired token does not', async () => {
    const token = await mintToken('s1', { role: 'agent', tenant: 'acme', subject: 'ana' });
    await expect(verifyBearer('s1', `Bearer ${token}`)).resolves.toMatchObject({ role: 'agent', tenant: 'acme', sub: 'ana' });
    await expect(verifyBearer('s2', `Bearer ${token}`)).rejects.toMatchObject({ status: 401 });
    await expect(verifyBearer('s1', undefined)).rejects.toMatchObject({ status: 401 });
    const expired = await mintToken('s1', { role: 'admin', tenant: 'acme', ttlSeconds: -10 });
    await expect(verifyBearer('s1', `Bearer ${expired}`)).rejects.toBeInstanceOf(AuthError);
  });

  test('a customer reaches only its own conversation in its own tenant', () => {
    const customer = { sub: 'c', role: 'customer' as const, tenant: 'acme', conversation: '6f1c1c8e-0000-4000-8000-000000000001' };
    expect(() => assertCanReach(customer, { id: customer.conversation, tenantId: 'acme' })).not.toThrow();
    expect(() => assertCanReach(customer, { id: '6f1c1c8e-0000-4000-8000-000000000002', tenantId: 'acme' })).toThrow(/own conversation/);
    expect(() => assertCanReach({ sub: 'a', role: 'admin', tenant: 'other' }, { id: customer.conversation, tenantId: 'acme' })).toThrow(/another tenant/);
  });
});

describe('configuration', () => {
  test('defaults make an empty environment work', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 3000, TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233, ATENDE_DATA_DIR: '.data', FOLLOW_UP_DELAY: 3_600_000 });
  });

  test('bad values fail fast naming the variable', () => {
    expect(() => loadEnv({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadEnv({ FOLLOW_UP_DELAY: 'soon' })).toThrow(/FOLLOW_UP_DELAY/);
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(parseDuration('90s')).toBe(90_000);
  });
});
