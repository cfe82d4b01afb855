/**
 * `npm start` as a newcomer sees it in Chromium: each of the demo's three tabs, its inject
 * buttons pressed in order, every emulator answer in the debug sidebar, and no node drawn over
 * another (labels, buttons and status texts included). The screenshots of the three tabs are
 * the README's (docs/images, written by `npm run docs:images`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { Editor, launchChromium } from '../support/browser';
import { demoEnv, running, runDemo, stopDemo } from '../support/demo';
import type { Demo } from '../support/demo';
import { listExamples, readExample } from '../support/examples';

type Step = { press: string } | { status: [type: string, name: string | undefined, pattern: RegExp] };

/** The demo's tabs, what to press on each and what shows it worked. */
const TABS: Array<{ example: string; shot: string; steps: Step[] }> = [
  {
    example: '03',
    shot: 'demo-tab-cryptopay',
    steps: [
      { press: 'pay exactly' },
      { status: ['debug', 'emulator answer', /^200$/] },
      { status: ['paywire-status', undefined, /completed/] },
      { press: 'underpay' },
      { status: ['debug', 'needs attention', /underpaid/] },
    ],
  },
  {
    example: '08',
    shot: 'demo-tab-cpg',
    steps: [
      { press: 'address for user-42' },
      { status: ['debug', 'show this address to user-42', /^0x/] },
      { press: 'payer sends 25 USDT' },
      { status: ['paywire-status', undefined, /confirming/] },
      { press: 'deposit confirmed' },
      { status: ['paywire-status', undefined, /completed/] },
      { press: 'pay out 50 USDT' },
      { status: ['debug', 'payout broadcast', /confirming/] },
    ],
  },
  {
    example: '09',
    shot: 'demo-tab-payment-orders',
    steps: [
      // Registered on deploy, before anything was pressed: the list found none, so it was created.
      { status: ['paywire-api', undefined, /^0 rows$/] },
      { press: 'order paid' },
      { status: ['paywire-status', undefined, /completed/] },
      { press: 'order nobody pays' },
      { status: ['debug', 'closed', /expired/] },
    ],
  },
];

function tabLabel(example: string): string {
  return String(readExample(example).find((n) => n.type === 'tab')!.label);
}

describe('the demo in a real browser (npm start, Chromium)', function () {
  this.timeout(180_000);
  let workDir: string;
  let demo: Demo;
  let browser: Browser;
  let editor: Editor;
  let url: string;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-demo-browser-'));
    const env = await demoEnv(path.join(workDir, 'demo'));
    demo = runDemo(env);
    await running(demo);
    browser = await launchChromium();
    // Tall and wide enough for each demo tab to show whole in its screenshot.
    url = `http://127.0.0.1:${env.PAYWIRE_DEMO_PORT}`;
    editor = await Editor.open(browser, url, { shots: 'demo', viewport: { width: 1700, height: 1300 } });
  });
  after(async () => {
    await editor?.close();
    await browser?.close();
    if (demo) await stopDemo(demo);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('opens with its three tabs, labelled as the demo and the README name them', async () => {
    assert.deepEqual(
      await editor.tabLabels(),
      TABS.map((t) => tabLabel(t.example)),
    );
    for (const { example } of TABS) assert.ok(demo.stdout().includes(`"${tabLabel(example)}"`), `the demo names ${tabLabel(example)}`);
  });

  for (const { example, shot, steps } of TABS) {
    it(`"${tabLabel(example)}": the buttons work, every answer shows, no node covers another`, async () => {
      editor.errors.splice(0);
      await editor.showFlow(tabLabel(example));
      await editor.page.evaluate(() => (window as any).RED.actions.invoke('core:clear-debug-messages'));
      await editor.openSidebar('debug');
      const find = async (type: string, name?: string): Promise<string> => {
        const ids = await editor.page.evaluate(
          ({ type, name }) =>
            ((window as any).RED.nodes.filterNodes({ z: (window as any).RED.workspaces.active(), type }) as Array<{ id: string; name?: string }>)
              .filter((n) => name === undefined || n.name === name)
              .map((n) => n.id),
          { type, name },
        );
        assert.ok(ids.length >= 1, `${type} ${name ?? ''} on the tab`);
        return ids[0]!;
      };
      for (const step of steps) {
        if ('press' in step) await editor.pressButton(await find('inject', step.press));
        else await editor.waitForStatus(await find(step.status[0], step.status[1]), step.status[2], 15_000);
      }
      // Each emulator control request answered, and its answer is in the sidebar.
      const answers = await editor.page.locator('.red-ui-debug-msg', { hasText: 'emulator answer' }).count();
      const requests = steps.filter((s) => 'press' in s).length;
      if (example !== '09') assert.ok(answers >= 1, `emulator answers in the debug sidebar (${answers} for ${requests} presses)`);
      if (example === '09') {
        // Labels in the provider's words: payment orders, not invoices.
        const labels = await Promise.all((await editor.page.evaluate(() => ((window as any).RED.nodes.filterNodes({ z: (window as any).RED.workspaces.active(), type: 'paywire-invoice' }) as Array<{ id: string }>).map((n) => n.id))).map((id) => editor.label(id)));
        assert.deepEqual(labels.sort(), ['create payment order', 'list payment orders']);
      }
      assert.deepEqual(await editor.overlappingNodes(), [], 'nodes drawn over each other');
      await editor.docShot(shot);
      assert.deepEqual(editor.errors, [], 'errors in the page');
    });
  }

  it("draws the provider's own node labels when the catalog arrives after the flows", async () => {
    // The labels come with the catalog (each operation's nodeLabel). In an editor of its own,
    // the catalog is held back until the payment-orders tab is drawn: the nodes first show the
    // node type's words, then the provider's.
    const late = await Editor.open(browser, url, { shots: 'demo-late-catalog', viewport: { width: 1700, height: 1300 } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      await late.page.route('**/paywire/catalog*', async (route) => {
        await held;
        await route.continue();
      });
      await late.load();
      await late.showFlow(tabLabel('09'));
      const labels = async (): Promise<string[]> => {
        const ids = await late.page.evaluate(() => ((window as any).RED.nodes.filterNodes({ z: (window as any).RED.workspaces.active(), type: 'paywire-invoice' }) as Array<{ id: string }>).map((n) => n.id));
        return (await Promise.all(ids.map((id) => late.label(id)))).sort();
      };
      assert.deepEqual(await labels(), ['create invoice', 'list invoices']);
      release();
      const wanted = ['create payment order', 'list payment orders'];
      for (const started = Date.now(); JSON.stringify(await labels()) !== JSON.stringify(wanted) && Date.now() - started < 10_000; ) await late.page.waitForTimeout(100);
      assert.deepEqual(await labels(), wanted);
      assert.deepEqual(late.errors, [], 'errors in the page');
    } finally {
      release();
      await late.close();
    }
  });

  it('draws no node over another on any example tab', async () => {
    const shown = new Set(await editor.tabLabels());
    const found: string[] = [];
    for (const { file, flow } of listExamples()) {
      const label = String(flow.find((n) => n.type === 'tab')!.label);
      // Imported with new ids, as "Import copy" does, so nothing of the demo's flows changes.
      if (!shown.has(label)) await editor.page.evaluate((nodes) => (window as any).RED.view.importNodes(nodes, { generateIds: true }), flow);
      await editor.showFlow(label);
      await editor.page.waitForTimeout(300);
      for (const pair of await editor.overlappingNodes()) found.push(`${file}: ${pair}`);
    }
    assert.deepEqual(found, []);
  });
});
