import { mountApp } from './app.js';
import { client } from './utils/api.js';
import { createSocket } from './utils/ws.js';

const app = mountApp({ client, createSocket });

// Exposed for the browser test (waiting for the first render, inspecting state).
window.rgms = app;
