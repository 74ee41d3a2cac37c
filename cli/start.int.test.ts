import { describe, expect, it } from 'vitest';
import { startTestOpsless } from '../test/support/opsless.ts';

describe('startOpsless', () => {
  it('gives the API the detector step once: /v1/info and a series without a step agree', async () => {
    const opsless = await startTestOpsless(
      { OPSLESS_DETECT_STEP: '10s' },
      { collector: false, api: true, detector: null },
    );
    try {
      const info = (await (await fetch(`${opsless.apiUrl}/v1/info`)).json()) as {
        stepSeconds: number;
      };
      const series = (await (
        await fetch(`${opsless.apiUrl}/v1/services/checkout/series?signal=request_rate&since=5m`)
      ).json()) as { stepSeconds: number };
      expect(info.stepSeconds).toBe(10);
      expect(series.stepSeconds).toBe(10);
    } finally {
      await opsless.stop();
    }
  });
});
