import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Whether a URL may receive webhooks: http(s), and every address its host resolves to public.
 * Private, loopback, link-local and shared addresses are refused (a webhook must not become a way
 * into the server's own network) unless the operator allows them (WEBHOOKS_ALLOW_PRIVATE).
 */
export async function publicUrlProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch {
    return 'its host does not resolve';
  }
  const blocked = addresses.find(isPrivateAddress);
  return blocked ? `resolves to a private address (${blocked}); set WEBHOOKS_ALLOW_PRIVATE=true to allow it` : null;
}

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const lower = ip.toLowerCase();
  return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}
