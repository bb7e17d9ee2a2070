import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The slow-network measurement (`make slow`, scripts/slow.sh): one worker, so that the
// CPU slowdown is the browser's alone, and no retries.
export default defineConfig({
  ...base,
  testDir: './slow',
  testIgnore: [],
  workers: 1,
  timeout: 600_000,
  reporter: [['list']],
});
