/**
 * `describe` when a service the tests need is there (Chromium, PostgreSQL,
 * Redis); otherwise a skip that jest reports as skipped, with the reason
 * printed, because a silent early return would pass as if it had been tested.
 * Under CI=true a missing service fails instead: CI must provide it.
 */
export function describeIfAvailable(available: boolean, why: string, hint: string, name: string, fn: () => void): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('the service it needs is there (required under CI=true)', () => {
        throw new Error(`${why}: under CI=true these tests must run. ${hint}`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${why}. ${hint} (under CI=true it fails instead).`);
  describe.skip(name, fn);
}
