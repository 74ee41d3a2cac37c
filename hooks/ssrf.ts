import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { deliveredIpv4, specialPurpose } from './special-addresses.ts';

/**
 * SSRF guard for user-supplied URLs (webhooks, actuators, runbooks): resolve the host,
 * refuse every address that is not globally reachable (special-addresses.ts, after the
 * IANA registries) unless an explicit allow-list opens it, and hand back the one checked
 * address so that the caller connects to it and nothing else (no second resolution for
 * a rebinding DNS server to answer differently).
 */

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

/** Why `address` may not be called, or null when it may. */
export function blockedReason(address: string, allow?: AllowList): string | null {
  const inner = isIP(address) === 6 ? deliveredIpv4(address) : null;
  for (const judged of inner === null ? [address] : [address, inner]) {
    if (allow?.networks.check(judged, isIP(judged) === 4 ? 'ipv4' : 'ipv6')) return null;
  }
  const special = specialPurpose(address);
  return special === null
    ? null
    : `${address} is not a public address (${special}); to call it anyway, add it to OPSLESS_WEBHOOK_ALLOW`;
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
