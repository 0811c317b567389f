// Runs the CLI from source (no build step), for development: `node --import tsx scripts/dev.mjs graph .`
import { runProcess } from '../src/cli/process.ts';

runProcess();
