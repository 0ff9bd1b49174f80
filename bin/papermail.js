#!/usr/bin/env node
// The `papermail` command. The project runs its TypeScript through tsx, so the bin registers it and loads the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
