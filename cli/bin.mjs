#!/usr/bin/env node
// Entry point of `npx neurocanvas`: lets Node run the TypeScript sources directly, then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
