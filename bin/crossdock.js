#!/usr/bin/env node
import { runProcess } from '../dist/cli/process.js';

runProcess();
