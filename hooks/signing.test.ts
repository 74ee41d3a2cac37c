import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateSecret,
  newMessageId,
  SecretFormatError,
  signatureHeader,
  webhookHeaders,
} from './index.ts';

const body = JSON.stringify({
  type: 'anomaly.opened',
  timestamp: '2026-11-25T12:00:00.000Z',
  data: { id: 'a1', service: 'checkout', signal: 'latency_p99' },
});
const now = () => Math.floor(Date.now() / 1000);

describe('Standard Webhooks signing', () => {
  it('is verified by the standardwebhooks library, as a receiver would', () => {
    const secret = generateSecret();
    const headers = webhookHeaders({ id: newMessageId(), timestampSeconds: now(), body }, [secret]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('signs with both secrets during a rotation, each verifying on its own', () => {
    const [old, fresh] = [generateSecret(), generateSecret()];
    const headers = webhookHeaders({ id: newMessageId(), timestampSeconds: now(), body }, [
      old,
      fresh,
    ]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(old).verify(body, headers)).toBeTruthy();
    expect(new Webhook(fresh).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
  });

  it('is rejected for a changed body, id or timestamp', () => {
    const secret = generateSecret();
    const message = { id: newMessageId(), timestampSeconds: now(), body };
    const headers = webhookHeaders(message, [secret]);
    const receiver = new Webhook(secret);
    expect(() => receiver.verify(body.replace('checkout', 'cart'), headers)).toThrow();
    expect(() => receiver.verify(body, { ...headers, 'webhook-id': newMessageId() })).toThrow();
    expect(() =>
      receiver.verify(body, {
        ...headers,
        'webhook-timestamp': String(message.timestampSeconds + 1),
      }),
    ).toThrow();
  });

  it('matches a signature computed independently from the spec', () => {
    // HMAC-SHA256 of "msg_1.1700000000.{}" keyed with 32 zero bytes, base64 (Python's hmac).
    const secret = `whsec_${Buffer.alloc(32).toString('base64')}`;
    expect(
      signatureHeader({ id: 'msg_1', timestampSeconds: 1_700_000_000, body: '{}' }, [secret]),
    ).toBe('v1,LzeNxZHo3O8fwpFJpLh/0B99ugILNFJw+/9lTgx0APs=');
  });

  it('names what is wrong with a secret', () => {
    const message = { id: 'msg_1', timestampSeconds: 1, body: '{}' };
    expect(() => signatureHeader(message, ['secret'])).toThrow(SecretFormatError);
    expect(() => signatureHeader(message, ['whsec_c2hvcnQ='])).toThrow(/24 to 64 bytes/);
    expect(() => signatureHeader(message, [])).toThrow(/at least one secret/);
  });
});
