// The --html reports, opened in a real browser (Debian chromium through playwright-core) from
// file://, offline: what the page shows is checked against the JSON of the same run.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { ROOT, runCli } from '../helpers/run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const REWARD = 'test/fixtures/models/tiny-reward';
const GUARD = 'test/fixtures/models/tiny-guard';
const FIX = 'test/fixtures/eval';
const NIM_MODEL = 'nvidia/llama-3.1-nemotron-70b-reward';
// Screenshots for people to look at (git-ignored).
const ARTIFACTS = join(ROOT, 'test', 'artifacts');

let dir: string;
let browser: Browser;
let nim: FakeOpenAIServer;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
  nim = await startOpenAIServer((body) => ({ text: `reward:${body.messages.at(-1).content.length}` }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await nim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Opens a report and records every request and console error it causes. */
async function open(file: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  return { page, requests, errors };
}

describe('the --html report', () => {
  it('shows RewardBench 2 subset bars per scorer, score distributions and the settings', async () => {
    const html = join(dir, 'rb2.html');
    const r = await runCli(['eval', `${FIX}/rb2-sample.parquet`, '--model', REWARD, '--nim', NIM_MODEL, '--device', 'cpu', '--json', '--html', html], {
      env: { NVIDIA_API_KEY: 'nvapi-test', NIM_BASE_URL: nim.baseURL },
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const { page, requests, errors } = await open(html);
    try {
      expect(await page.title()).toBe('RewardBench 2 evaluation');
      expect(await page.locator('#runs td.run-name').allTextContents()).toEqual([REWARD, NIM_MODEL]);
      expect(await page.locator('#settings').innerText()).toMatch(/format\s+rb2/);
      // Six official subsets plus Overall, one bar per scorer each, with the scores of the JSON.
      const bars = page.locator('#chart-subsets rect.bar');
      expect(await bars.count()).toBe(14);
      for (const [i, scorer] of doc.scorers.entries()) {
        const overall = page.locator(`#chart-subsets rect.bar[data-category="Overall"][data-series="${scorer.name}"]`);
        expect(Number(await overall.getAttribute('data-value'))).toBeCloseTo(scorer.overall, 12);
        const ties = page.locator(`#chart-subsets rect.bar[data-category="Ties"][data-series="${scorer.name}"]`);
        expect(Number(await ties.getAttribute('data-value'))).toBeCloseTo(scorer.subsets.Ties.score, 12);
        // The distribution chart: chosen and rejected answers of every row (24 rows: 26 correct, 68 incorrect answers).
        const dist = page.locator(`#chart-dist-${i}`);
        expect(await dist.locator('.legend').innerText()).toMatch(/chosen \(26\)\s*rejected \(68\)/);
        expect(await dist.locator('rect.hist').count()).toBeGreaterThan(1);
      }
      const box = await page.locator('#chart-subsets svg').boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(200);
      // Self-contained: the page itself is the only request.
      expect(requests).toEqual([pathToFileURL(html).href]);
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'eval-rb2-report.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('shows RewardBench 1 sections, and guard bars with the category confusion matrix', async () => {
    const rb1 = join(dir, 'rb1.html');
    const guards = join(dir, 'guards.html');
    const [evaluated, guarded] = await Promise.all([
      runCli(['eval', `${FIX}/rb1-sample.jsonl`, '--model', REWARD, '--device', 'cpu', '--html', rb1]),
      runCli(['eval-guard', `${FIX}/guard-sample.parquet`, '--guard', GUARD, '--device', 'cpu', '--json', '--html', guards]),
    ]);
    expect(evaluated.code).toBe(0);
    expect(guarded.code).toBe(0);
    const one = await open(rb1);
    try {
      expect(await one.page.title()).toBe('RewardBench evaluation');
      // Chat, Chat Hard, Safety (the sample has no Reasoning rows) and Overall.
      expect(await one.page.locator('#chart-sections rect.bar').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-category')))).toEqual(['Chat', 'Chat Hard', 'Safety', 'Overall']);
      expect(await one.page.locator('#chart-dist-0 .legend').innerText()).toMatch(/chosen \(12\)\s*rejected \(12\)/);
      expect(one.errors).toEqual([]);
      await one.page.screenshot({ path: join(ARTIFACTS, 'eval-rb1-report.png'), fullPage: true });
    } finally {
      await one.page.close();
    }
    const result = JSON.parse(guarded.stdout).guards[0];
    const two = await open(guards);
    try {
      expect(await two.page.title()).toBe('Guard evaluation');
      expect(await two.page.locator('#table-overall').innerText()).toMatch(new RegExp(`${GUARD}\\s+14\\s+6\\s+0\\s+0\\s+8`));
      const f1 = two.page.locator('#chart-overall rect.bar[data-category="f1"]');
      expect(Number(await f1.getAttribute('data-value'))).toBe(1);
      const categories = Object.keys(result.categories);
      expect(await two.page.locator('#chart-categories rect.bar').count()).toBe(categories.filter((c) => result.categories[c].f1 !== null).length);
      const { labels, counts } = result.confusion;
      expect(await two.page.locator('#confusion-0 td.cell').count()).toBe(labels.length ** 2);
      const cell = two.page.locator('#confusion-0 td.cell[data-row="violence"][data-col="animal_abuse"]');
      expect(Number(await cell.innerText())).toBe(counts[labels.indexOf('violence')][labels.indexOf('animal_abuse')]);
      expect(await two.page.locator('#confusion-0 td.cell[data-row="none"][data-col="none"]').innerText()).toBe('8');
      expect(two.requests).toEqual([pathToFileURL(guards).href]);
      expect(two.errors).toEqual([]);
      await two.page.screenshot({ path: join(ARTIFACTS, 'eval-guard-report.png'), fullPage: true });
    } finally {
      await two.page.close();
    }
  });
});
