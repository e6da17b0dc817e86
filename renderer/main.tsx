// Renderer entry: mounts the app. No StrictMode: it creates and destroys every WebGL context twice in dev
// (ARCHITECTURE.md §7), and the viewer owns one shared context.
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { offerTestHook } from './testHooks.js';
import './styles.css';

offerTestHook();
const root = document.getElementById('root');
if (!root) throw new Error('missing #root');
createRoot(root).render(<App />);
