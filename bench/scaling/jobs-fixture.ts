/**
 * A worker for jobs.test.ts: answers unit u with u squared, after a delay that makes later
 * units finish first, so that the parent has to put the answers back in order.
 */
import { serveUnits } from './jobs.ts';

serveUnits((unit) => {
  if (unit === 5) throw new Error('unit 5 is refused');
  const until = Date.now() + (unit % 3 === 0 ? 60 : 0);
  while (Date.now() < until);
  return unit * unit;
});
