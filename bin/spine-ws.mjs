#!/usr/bin/env node
// Entry point of the `spine-ws` CLI. Runs the TypeScript sources through tsx so that the command works
// right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

register();
const here = dirname(fileURLToPath(import.meta.url));
const { main } = await import(pathToFileURL(join(here, '..', 'main', 'cli', 'index.ts')).href);
process.exitCode = await main(process.argv.slice(2));
