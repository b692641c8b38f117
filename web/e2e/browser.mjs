// Shared helpers of the browser tests: headless Debian Chromium driven by
// playwright-core, with every console error and failed request collected.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// withBrowser runs fn(context, problems) in a fresh Chromium profile and closes it.
// problems collects console errors, page errors and failed or non-2xx/3xx requests
// (204 is fine: empty tiles answer 204).
export async function withBrowser(fn, contextOptions = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'geodata-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: flags,
    ...contextOptions,
  });
  const problems = [];
  try {
    context.on('page', (page) => watch(page, problems));
    return await fn(context, problems);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function watch(page, problems) {
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (resp) => { if (resp.status() >= 400) problems.push(`HTTP ${resp.status()}: ${resp.url()}`); });
}

// check fails the script with a message when cond is false.
export function check(cond, message) {
  if (!cond) {
    throw new Error(message);
  }
}

// main runs a test body and sets the exit status; the Go test reads stdout/stderr.
export function main(body) {
  body().then(() => { console.log('ok'); }, (err) => { console.error(err.stack || String(err)); process.exit(1); });
}
