#!/usr/bin/env node
// The published command runs the esbuild bundle of src/cli/process.ts (bundle/, written by `npm run build`):
// one entry file that loads each command's code on first use. Node's compile cache (node >= 22.1) is turned on
// first where it exists, so later runs skip compiling the bundle; on older versions this line does nothing.
import module from 'node:module';

module.enableCompileCache?.();
const { runProcess } = await import('../bundle/crossdock.js');
runProcess();
