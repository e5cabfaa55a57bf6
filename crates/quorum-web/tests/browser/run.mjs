// Runs the browser end-to-end scenarios, in order, against a running hub with the demo
// meeting: `cargo test -p quorum --test browser` starts the hub and this. Exits non-zero
// if any scenario fails or any page logged an error.
//
// Environment: QUORUM_URL (the hub), QUORUM_DEMO (its demo.json), QUORUM_RESULTS (the
// folder for screenshots); QUORUM_BROWSER_HEADED=1 shows the browser, and
// QUORUM_BROWSER_SLOWMO=<ms> slows every action down, for debugging;
// QUORUM_BROWSER_UNTIL=<file> stops after that scenario (the ones before it still run,
// since each continues the meeting the previous one left).

import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

import { Hall } from './lib/hall.mjs';

/** In order: the later ones continue the meeting the earlier ones left. */
const SCENARIOS = ['meeting.mjs', 'choice-kept.mjs', 'floor.mjs', 'documents.mjs', 'chair.mjs', 'secretary.mjs'];
/** A stuck run fails rather than hangs. */
const RUN_LIMIT_MS = 180_000;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function setting(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`run.mjs: ${name} is not set; run the tests with \`cargo test -p quorum --test browser\``);
    process.exit(2);
  }
  return value;
}

async function main() {
  const started = performance.now();
  const url = setting('QUORUM_URL');
  const demoFile = setting('QUORUM_DEMO');
  const results = setting('QUORUM_RESULTS');
  mkdirSync(results, { recursive: true });
  const watchdog = setTimeout(() => {
    console.error(`browser tests: still running after ${RUN_LIMIT_MS / 1000} s; giving up`);
    process.exit(1);
  }, RUN_LIMIT_MS);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: process.env.QUORUM_BROWSER_HEADED !== '1',
    slowMo: Number(process.env.QUORUM_BROWSER_SLOWMO ?? 0),
  });
  const hall = new Hall(browser, { demoFile, results });
  if (hall.url !== url) console.error(`browser tests: note: demo.json says ${hall.url}, QUORUM_URL ${url}`);
  console.error(`browser tests: chromium ${browser.version()}, hub ${hall.url}, screenshots in ${results}`);

  const until = process.env.QUORUM_BROWSER_UNTIL;
  if (until && !SCENARIOS.includes(until)) throw new Error(`QUORUM_BROWSER_UNTIL: no scenario ${until}`);
  const chosen = until ? SCENARIOS.slice(0, SCENARIOS.indexOf(until) + 1) : SCENARIOS;
  let passed = 0;
  let failed = 0;
  for (const file of chosen) {
    const scenario = await import(`./scenarios/${file}`);
    const began = performance.now();
    let failure = null;
    try {
      await scenario.run(hall);
    } catch (error) {
      failure = error;
    }
    const errors = await hall.takeErrors();
    if (!failure && errors.length > 0) failure = new Error(`the pages logged errors:\n  ${errors.join('\n  ')}`);
    const seconds = ((performance.now() - began) / 1000).toFixed(1);
    if (failure) {
      failed += 1;
      await hall.screenshotAll();
      console.error(`FAIL ${file} — ${scenario.title} (${seconds} s)\n${failure.stack ?? failure}`);
      if (errors.length > 0 && !String(failure.message).includes('logged errors')) {
        console.error(`  and the pages logged:\n  ${errors.join('\n  ')}`);
      }
      // The scenarios continue one meeting: after a failure the rest would only mislead.
      break;
    }
    passed += 1;
    console.error(`ok   ${file} — ${scenario.title} (${seconds} s)`);
  }
  const skipped = chosen.length - passed - failed;
  await hall.close();
  clearTimeout(watchdog);
  const total = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`browser tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} not run` : ''} in ${total} s`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(`browser tests: ${error.stack ?? error}`);
  process.exit(1);
});
