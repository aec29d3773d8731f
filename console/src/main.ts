/** The web console: a page of the gateway over its public REST API and event stream. */
import { render } from 'preact';
import { html } from './html.js';
import { App } from './app.js';

render(html`<${App} />`, document.getElementById('app')!);
