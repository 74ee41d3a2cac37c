import { h } from 'preact';
import htm from 'htm';

/** Preact elements from a tagged template: html`<p class=${name}>…</p>`; no build step. */
export const html = htm.bind(h);
