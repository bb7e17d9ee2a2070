import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { mkdirSync, writeFileSync } from 'node:fs';

// Writes each failed test's title and the start of its error to
// test-results/failures.txt. CI keeps only the end of a long log, so scripts/e2e.sh
// prints this summary last, after the servers' logs, where it cannot be cut off.
export default class FailuresReporter implements Reporter {
  private failures: string[] = [];

  onTestEnd(test: TestCase, result: TestResult) {
    if (result.status === test.expectedStatus) return;
    const message = (result.error?.message ?? `test ${result.status}`)
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .slice(0, 15)
      .join('\n');
    const where = `${test.location.file.split('/tests/').pop()}:${test.location.line}`;
    this.failures.push(`✘ ${test.titlePath().slice(1).join(' › ')} (${where}, ${result.status} after ${result.duration} ms)\n${message}\n`);
  }

  onEnd() {
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/failures.txt', this.failures.join('\n'));
  }
}
