import { useEffect, useState } from 'preact/hooks';
import { apiGet, REFRESH_EVENT } from './api.js';

/** @typedef {import('../api-types').Info} Info */

/** One read of `/v1/info` per page load, shared by every caller; null when it failed. */
let pending = /** @type {Promise<Info | null> | null} */ (null);
// Registered before any component's listener: a key entered or a refresh reads it again.
window.addEventListener(REFRESH_EVENT, () => {
  pending = null;
});

function readInfo() {
  pending ??= /** @type {Promise<Info>} */ (apiGet('/v1/info')).catch(() => {
    pending = null;
    return null;
  });
  return pending;
}

/**
 * What the API says of this deployment (OTLP endpoints, whether the demo runs): undefined
 * until it has answered, null when it could not.
 * @returns {Info | null | undefined}
 */
export function useInfo() {
  const [info, setInfo] = useState(/** @type {Info | null | undefined} */ (undefined));
  useEffect(() => {
    let live = true;
    const read = () => {
      void readInfo().then((answer) => {
        if (live) setInfo(answer);
      });
    };
    read();
    window.addEventListener(REFRESH_EVENT, read);
    return () => {
      live = false;
      window.removeEventListener(REFRESH_EVENT, read);
    };
  }, []);
  return info;
}
