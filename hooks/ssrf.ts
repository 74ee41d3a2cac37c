import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for user-supplied URLs (webhooks, actuators, runbooks): resolve the host,
 * refuse every address in a private, loopback, link-local (the cloud metadata address
 * included), CGNAT, unspecified or multicast range — IPv4-embedded IPv6 judged as the
 * IPv4 inside — unless an explicit allow-list opens it, and hand back the one checked
 * address so that the caller connects to it and nothing else (no second resolution for
 * a rebinding DNS server to answer differently).
 */

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2002::', 16],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Thrown when a URL may not be called; the message says why. */
export class BlockedTargetError extends Error {
  override readonly name = 'BlockedTargetError';
}

/** Hosts and networks deliberately opened, e.g. from `OPSLESS_WEBHOOK_ALLOW`. */
export interface AllowList {
  hosts: Set<string>;
  networks: BlockList;
}

/** Parses a comma-separated list of CIDRs, addresses and host names; throws naming a bad entry. */
export function parseAllowList(text: string): AllowList {
  const allow: AllowList = { hosts: new Set(), networks: new BlockList() };
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    if (family === 0) {
      if (prefixText !== undefined || !/^[a-z0-9.-]+$/i.test(entry)) {
        throw new Error(`"${entry}" is neither a CIDR, an IP address nor a host name`);
      }
      allow.hosts.add(entry.toLowerCase());
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new Error(`"${entry}": the prefix length must be 0 to ${max}`);
    }
    allow.networks.addSubnet(address, prefix, type);
  }
  return allow;
}

/**
 * The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d)
 * IPv6 address, if any. (BlockList maps the first kind itself; not the second.)
 */
function embeddedIpv4(address: string): string | null {
  const match = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match) return match[1]!;
  const hex = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why `address` may not be called, or null when it may. */
export function blockedReason(address: string, allow?: AllowList): string | null {
  const inner = isIP(address) === 6 ? embeddedIpv4(address) : null;
  const judged = inner ?? address;
  const type = isIP(judged) === 4 ? 'ipv4' : 'ipv6';
  if (allow?.networks.check(judged, type)) return null;
  if (BLOCKED.check(judged, type)) {
    return `${address} is a private, loopback, link-local or otherwise internal address`;
  }
  return null;
}

export interface CheckedTarget {
  url: URL;
  /** The address to connect to: the one that was checked. */
  address: string;
  family: 4 | 6;
}

export type Lookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Checks a URL before a request: http(s) only, every resolved address allowed. Returns
 * the first address to connect to; throws BlockedTargetError naming the reason.
 */
export async function checkTarget(
  text: string,
  options: { allow?: AllowList; lookup?: Lookup } = {},
): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BlockedTargetError(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BlockedTargetError(`${url.protocol} URLs are refused: only http and https`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allowedHost = options.allow?.hosts.has(host.toLowerCase()) ?? false;
  const addresses =
    isIP(host) !== 0
      ? [{ address: host, family: isIP(host) }]
      : await (options.lookup ?? systemLookup)(host).catch((error: unknown) => {
          throw new BlockedTargetError(`${host} does not resolve: ${(error as Error).message}`);
        });
  if (addresses.length === 0) throw new BlockedTargetError(`${host} does not resolve`);
  if (!allowedHost) {
    // Every address must pass: a rebinding server could hand the client any of them.
    for (const { address } of addresses) {
      const reason = blockedReason(address, options.allow);
      if (reason) {
        throw new BlockedTargetError(
          host === address ? `refused: ${reason}` : `refused: ${host} resolves to ${reason}`,
        );
      }
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
