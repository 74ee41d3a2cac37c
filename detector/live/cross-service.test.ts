import { describe, expect, it } from 'vitest';
import type { Alert } from '../../alerts/index.ts';
import { callPathServices, incidentToJoin, type CallGraph } from './cross-service.ts';

const STEP = 60_000;
const AT = Date.parse('2026-11-20T12:00:00Z');

/**
 * frontend → catalog; frontend → checkout → payments; checkout → orders-worker;
 * reports → catalog.
 */
const graph: CallGraph = new Map([
  ['frontend', ['catalog', 'checkout']],
  ['checkout', ['payments', 'orders-worker']],
  ['reports', ['catalog']],
]);

function openAlert(service: string, openedAtMs: number): Alert {
  return {
    id: `alert-${service}`,
    service,
    services: [service],
    status: 'open',
    openedAt: new Date(openedAtMs).toISOString(),
  } as Alert;
}

describe('which open alert an opening service joins', () => {
  it('follows calls both ways, transitively, and not across a shared caller or callee', () => {
    expect([...callPathServices(graph, 'checkout')].sort()).toEqual([
      'checkout',
      'frontend',
      'orders-worker',
      'payments',
    ]);
    expect([...callPathServices(graph, 'catalog')].sort()).toEqual([
      'catalog',
      'frontend',
      'reports',
    ]);
  });

  it('joins a cascade along its calls: payments fails, its caller’s caller joins', () => {
    const open = [openAlert('payments', AT)];
    expect(incidentToJoin(open, graph, 'frontend', AT + 2 * STEP, STEP)?.id).toBe('alert-payments');
  });

  it('keeps a fault of its own on a service that only shares a caller with the alert’s', () => {
    // A leak on catalog says nothing about orders-worker's latency: both are only
    // reached from frontend.
    const open = [openAlert('orders-worker', AT)];
    expect(incidentToJoin(open, graph, 'catalog', AT + STEP, STEP)).toBeUndefined();
    expect(incidentToJoin(open, graph, 'payments', AT + STEP, STEP)).toBeUndefined();
  });

  it('joins only alerts opened within the window', () => {
    const open = [openAlert('payments', AT)];
    expect(incidentToJoin(open, graph, 'checkout', AT + 6 * STEP, STEP)).toBeUndefined();
  });
});
