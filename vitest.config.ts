import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20000,
    // The recorded tool output (tcpdump's timestamps) was made with TZ=UTC.
    env: { TZ: 'UTC' },
  },
});
