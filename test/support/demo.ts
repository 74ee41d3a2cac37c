import type { DemoAction, DemoControl, DemoIncident } from '../../api/index.ts';

/** A story of two incidents that records what it was asked to do. */
export function fakeDemo() {
  const calls: Array<[string, DemoAction]> = [];
  const incidents: DemoIncident[] = [
    {
      id: 'slow-release',
      description: 'checkout 1.5.0 is slow',
      atSeconds: 20,
      state: 'scheduled',
      ends: null,
      startedAt: null,
    },
    {
      id: 'error-burst',
      description: 'payments fail',
      atSeconds: 150,
      state: 'done',
      ends: { afterSeconds: 30, description: 'payments recovers' },
      startedAt: '2026-11-25T12:02:30.000Z',
    },
  ];
  const control: DemoControl = {
    story: () => ({ startedAt: '2026-11-25T12:00:00.000Z', incidents }),
    act(id, action) {
      calls.push([id, action]);
      const incident = incidents.find((candidate) => candidate.id === id);
      if (!incident) return { ok: false, reason: 'not_found', message: `no demo incident ${id}` };
      if (incident.state !== 'scheduled') {
        return { ok: false, reason: 'conflict', message: `incident ${id} is ${incident.state}` };
      }
      incident.state = action === 'run' ? 'running' : 'skipped';
      return { ok: true, incident };
    },
  };
  return { control, calls };
}
