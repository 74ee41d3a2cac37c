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
      'refused: 10.0.0.1 is not a public address (private, 10.0.0.0/8); to call it anyway, add it to OPSLESS_WEBHOOK_ALLOW',
    );
  });

  it('refuses every IPv6 form that is not globally reachable (IANA special-purpose registry)', async () => {
    const refused: Array<[string, RegExp]> = [
      ['fec0::1', /site-local/],
      ['::ffff:0:7f00:1', /IPv4-translated/],
      ['::ffff:0:a00:1', /IPv4-translated/],
      ['64:ff9b::7f00:1', /loopback.*inside/],
      ['64:ff9b::10.1.2.3', /private.*inside/],
      ['64:ff9b::a9fe:a9fe', /link-local.*inside/],
      ['64:ff9b:1::8.8.8.8', /local-use IPv4\/IPv6 translation/],
      ['2002:7f00:1::1', /6to4/],
      ['2002:a00:1::', /6to4/],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /Teredo/],
      ['2001:2::1', /IETF/],
      ['2001:db8::1', /documentation/],
      ['3fff::1', /documentation/],
      ['100::1', /discard-only/],
      ['5f00::1', /outside 2000::\/3/],
      ['::', /unspecified/],
      ['::1', /loopback/],
      ['::2', /IPv4-compatible/],
      ['fd12:3456::1', /unique local/],
      ['fe80::1', /link-local/],
      ['ff02::1', /multicast/],
      ['::ffff:192.168.0.1', /private/],
      ['192.0.2.1', /documentation/],
      ['198.51.100.7', /documentation/],
      ['203.0.113.9', /documentation/],
      ['255.255.255.255', /reserved/],
    ];
    for (const [address, reason] of refused) {
      const url = `http://${address.includes(':') ? `[${address}]` : address}/hook`;
      const error = await checkTarget(url).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error, url).toBeInstanceOf(BlockedTargetError);
      expect((error as Error).message, url).toMatch(reason);
      expect((error as Error).message, url).toMatch(/OPSLESS_WEBHOOK_ALLOW/);
    }
  });

  it('lets global unicast through, the public IPv4 behind NAT64 included', () => {
    for (const address of [
      '2606:4700:4700::1111',
      '2a00:1450:4001:82a::200e',
      '64:ff9b::808:808',
      '::ffff:8.8.8.8',
      '8.8.8.8',
    ]) {
      expect(blockedReason(address), address).toBeNull();
    }
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
    expect(blockedReason('10.0.0.1', allow)).toMatch(/not a public address/);
    expect(() => parseAllowList('10.0.0.0/40')).toThrow(/prefix length must be 0 to 32/);
    expect(() => parseAllowList('http://x')).toThrow(/neither a CIDR/);
  });
});
