import { render } from 'preact';
import { App } from './app.js';
import { html } from './lib/html.js';
import { interceptLinkClick } from './lib/router.js';

document.addEventListener('click', interceptLinkClick);
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
