import { BlockList, isIP } from 'node:net';

/**
 * The addresses a webhook may not reach unless opened deliberately: every block of the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries that is not globally reachable
 * (RFC 6890 and its updates), plus multicast. For IPv6 the rule is stricter still: only
 * global unicast (2000::/3) passes at all, so that a block assigned later, or one of the
 * deprecated forms (site-local, IPv4-compatible, IPv4-translated), never slips through.
 * IPv4-mapped and NAT64 (64:ff9b::/96) addresses are judged by the IPv4 address inside,
 * because that is where a packet sent to them ends up.
 */

const IPV4_BLOCKS: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast (deprecated)'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_BLOCKS: ReadonlyArray<readonly [string, number, string]> = [
  ['64:ff9b:1::', 48, 'local-use IPv4/IPv6 translation'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignments (Teredo, benchmarking, ORCHID, …)'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['3fff::', 20, 'documentation'],
];

function blockList(
  blocks: ReadonlyArray<readonly [string, number, string]>,
  type: 'ipv4' | 'ipv6',
) {
  return blocks.map(([network, prefix, name]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, type);
    return { list, name: `${name}, ${network}/${prefix}` };
  });
}

const V4 = blockList(IPV4_BLOCKS, 'ipv4');
const V6 = blockList(IPV6_BLOCKS, 'ipv6');
const GLOBAL_UNICAST = new BlockList();
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad included). */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address a packet to this IPv6 address is delivered to: the inside of an
 * IPv4-mapped (::ffff:a.b.c.d) or NAT64 well-known-prefix (64:ff9b::a.b.c.d) address.
 */
export function deliveredIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return null;
  const [high = 0, low = 0] = g.slice(6);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** What special-purpose block `address` is in (e.g. "private, 10.0.0.0/8"), or null if global. */
export function specialPurpose(scoped: string): string | null {
  const address = scoped.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) is local anyway
  const family = isIP(address);
  if (family === 4) return V4.find(({ list }) => list.check(address, 'ipv4'))?.name ?? null;
  if (family !== 6) return 'not an IP address';
  const inner = deliveredIpv4(address);
  if (inner !== null) {
    const reason = specialPurpose(inner);
    return reason === null ? null : `${reason}, inside ${address}`;
  }
  const named = V6.find(({ list }) => list.check(address, 'ipv6'))?.name;
  if (named !== undefined) return named;
  return GLOBAL_UNICAST.check(address, 'ipv6') ? null : describeNonGlobal(ipv6Groups(address));
}

/** Names the common non-global IPv6 blocks outside 2000::/3. */
function describeNonGlobal(groups: number[]): string {
  const first = groups[0] ?? 0;
  if (groups.every((x) => x === 0)) return 'unspecified, ::/128';
  if (groups.slice(0, 7).every((x) => x === 0) && groups[7] === 1) return 'loopback, ::1/128';
  if ((first & 0xfe00) === 0xfc00) return 'unique local, fc00::/7';
  if ((first & 0xffc0) === 0xfe80) return 'link-local, fe80::/10';
  if ((first & 0xffc0) === 0xfec0) return 'site-local (deprecated), fec0::/10';
  if ((first & 0xff00) === 0xff00) return 'multicast, ff00::/8';
  if (first === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0xffff)
    return 'IPv4-translated (deprecated), ::ffff:0:0:0/96';
  if (first === 0 && groups.slice(1, 6).every((x) => x === 0)) {
    return 'IPv4-compatible (deprecated), ::/96';
  }
  return 'not global unicast (outside 2000::/3)';
}
