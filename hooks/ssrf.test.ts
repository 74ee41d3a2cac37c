import { describe, expect, it } from 'vitest';
import {
  blockedReason,
  BlockedTargetError,
  checkTarget,
  parseAllowList,
  type Lookup,
} from './ssrf.ts';

const resolvesTo =
  (...addresses: string[]): Lookup =>
  () =>
    Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('SSRF guard', () => {
  it('refuses metadata, private, loopback, CGNAT and IPv4-in-IPv6 addresses with a reason', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:7f00:1]/hook',
      'http://[::127.0.0.1]/hook',
      'http://[::a9fe:a9fe]/latest/meta-data/',
      'http://[::1]:8080/',
      'http://100.64.1.2/',
      'http://172.20.0.5/',
      'http://192.168.1.10/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
    ]) {
      await expect(checkTarget(url), url).rejects.toThrow(BlockedTargetError);
    }
    await expect(checkTarget('http://10.0.0.1/')).rejects.toThrow(
      'refused: 10.0.0.1 is a private, loopback, link-local or otherwise internal address',
    );
  });

  it('refuses a host name that resolves to loopback, even if only one of its addresses does', async () => {
    await expect(
      checkTarget('https://hooks.example.com/x', { lookup: resolvesTo('127.0.0.1') }),
    ).rejects.toThrow('refused: hooks.example.com resolves to 127.0.0.1');
    await expect(
      checkTarget('https://hooks.example.com/x', {
        lookup: resolvesTo('93.184.215.14', '10.1.1.1'),
      }),
    ).rejects.toThrow(/resolves to 10\.1\.1\.1/);
  });

  it('returns the checked public address to connect to', async () => {
    const target = await checkTarget('https://hooks.example.com/x', {
      lookup: resolvesTo('93.184.215.14'),
    });
    expect(target).toMatchObject({ address: '93.184.215.14', family: 4 });
    expect(target.url.pathname).toBe('/x');
  });

  it('refuses other schemes and non-URLs', async () => {
    await expect(checkTarget('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    await expect(checkTarget('gopher://x')).rejects.toThrow(/only http and https/);
    await expect(checkTarget('not a url')).rejects.toThrow(/is not a URL/);
  });

  it('lets an explicit allow-list open loopback and named hosts, and rejects bad entries', async () => {
    const allow = parseAllowList('127.0.0.0/8, ::1, internal.example');
    await expect(checkTarget('http://127.0.0.1:9000/hook', { allow })).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(checkTarget('http://[::ffff:127.0.0.1]/', { allow })).resolves.toBeTruthy();
    await expect(
      checkTarget('http://internal.example/', { allow, lookup: resolvesTo('10.0.0.7') }),
    ).resolves.toMatchObject({ address: '10.0.0.7' });
    expect(blockedReason('10.0.0.1', allow)).toMatch(/internal address/);
    expect(() => parseAllowList('10.0.0.0/40')).toThrow(/prefix length must be 0 to 32/);
    expect(() => parseAllowList('http://x')).toThrow(/neither a CIDR/);
  });
});
