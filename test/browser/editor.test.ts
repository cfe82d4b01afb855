/**
 * The editor as users see it: the packed module installed into a real Node-RED, driven in
 * headless Chromium through the palette, the Import menu, the edit dialogs, Deploy and the
 * sidebars. Every step leaves a screenshot in .screenshots/<run>/ to be looked at.
 * The steps build on each other (import, configure, deploy), so they run in order.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort, startNodeRed } from '../../scripts/node-red-runner';
import type { NodeRedProcess } from '../../scripts/node-red-runner';
import type { CryptopayEmulator } from '../../emulator/cryptopay';
import { Editor, launchChromium } from '../support/browser';
import { startCryptopayEmulator } from '../support/emulator';
import { PACKAGE, installPacked } from '../support/packed';
import { REPO_ROOT } from '../support/paths';

// Recognisable values, so a leak is found by a plain search of what the browser received.
const KEY = 'browser-key-51c2e0';
const SECRET = 'browser-secret-8d4e1f';
const CALLBACK_SECRET = 'browser-callback-27ab90';
const GATEWAY_NAME = 'Cryptopay emulator';
const EXAMPLE = '03 Invoice lifecycle on the emulator';
const CONFIG_TYPES = new Set(['paywire-gateway', 'paywire-redis']);

function nodeTypes(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  return Object.keys(pkg['node-red'].nodes);
}

/**
 * Node-RED breaks a palette label wider than a line, inside a word if it must, and sets every
 * hyphen apart with spaces; ours fit on one line as written.
 */
function assertOneLine(lines: string[], label: string, type: string): void {
  assert.deepEqual(lines, [label], `${type}: palette label "${label}" is shown as ${JSON.stringify(lines)}`);
}

/** The catalog requests the editor's forms made (GET paywire/catalog?lng=…). */
function editorCatalogRequests(editor: Editor): string[] {
  return editor.statuses.map((r) => r.url).filter((url) => /\/paywire\/catalog(\?|$)/.test(url));
}

function catalogText(lang: string, type: string): Record<string, any> {
  const file = path.join(REPO_ROOT, 'nodes', 'locales', lang, `${type}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, any>>)[type]!;
}

describe('the editor in a real browser (Chromium)', function () {
  this.timeout(120_000);
  let workDir: string;
  let nodeRed: NodeRedProcess;
  let emulator: CryptopayEmulator;
  let browser: Browser;
  let editor: Editor;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paywire-browser-'));
    const userDir = installPacked(workDir);
    emulator = await startCryptopayEmulator({ credentials: { [KEY]: SECRET }, callbackSecret: CALLBACK_SECRET });
    nodeRed = await startNodeRed({
      userDir,
      port: await freePort(),
      // No palette catalogue: the browser must not reach the internet.
      settings: { editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } } },
    });
    emulator.setCallback(`${nodeRed.url}/paywire/callback`, CALLBACK_SECRET);
    browser = await launchChromium();
    // The gateway's name is searched as well: it must be found (in /flows), proving the search works.
    // Tall enough for the edit dialogs to show whole in their pictures.
    editor = await Editor.open(browser, nodeRed.url, { secrets: [KEY, SECRET, CALLBACK_SECRET, GATEWAY_NAME], viewport: { width: 1400, height: 1100 } });
  });

  after(async () => {
    await editor?.close();
    await browser?.close();
    await nodeRed?.stop();
    await emulator?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    // A failed step must not leave a dialog open over the next one.
    if (this.currentTest?.state !== 'passed') await editor?.closeDialogs();
  });

  /** A step of the walk-through; a script error in the page during it fails it. */
  function step(title: string, body: () => Promise<void>): void {
    it(title, async () => {
      editor.errors.splice(0);
      await body();
      assert.deepEqual(editor.errors, [], 'errors in the page');
    });
  }

  step('shows every Paywire node in the palette, in the paywire category, with its label and icon', async () => {
    const page = editor.page;
    const category = page.locator('#red-ui-palette-container-paywire');
    await category.scrollIntoViewIfNeeded();
    const shown = await page.locator('#red-ui-palette-container-paywire .red-ui-palette-node').evaluateAll((items) =>
      items.map((item) => ({
        type: item.getAttribute('data-palette-type'),
        label: (item.querySelector('.red-ui-palette-label')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        lines: (item.querySelector('.red-ui-palette-label') as HTMLElement).innerText.split('\n'),
        icon: getComputedStyle(item.querySelector('.red-ui-palette-icon')!).backgroundImage,
      })),
    );
    const expected = nodeTypes().filter((t) => !CONFIG_TYPES.has(t));
    assert.deepEqual(shown.map((s) => s.type).sort(), [...expected].sort());
    for (const item of shown) {
      assert.equal(item.label, catalogText('en-US', item.type!).paletteLabel, `${item.type} palette label`);
      assert.match(item.icon, new RegExp(`${item.type}\\.svg`), `${item.type} icon`);
      assertOneLine(item.lines, item.label, item.type!);
    }
    for (const type of expected) {
      const served = editor.statuses.filter((r) => r.url.endsWith(`/icons/${PACKAGE}/${type}.svg`));
      assert.ok(served.length > 0 && served.every((r) => r.status === 200), `${type} icon served: ${JSON.stringify(served)}`);
    }
    await editor.docShot('palette', category);
  });

  step('imports an example from the Import menu; node labels say what each node does', async () => {
    await editor.importExample(PACKAGE, EXAMPLE);
    await editor.showFlow('Paywire: invoice lifecycle');
    const flow = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', `${EXAMPLE}.json`), 'utf8')) as Array<{ type: string }>;
    for (const type of ['paywire-invoice', 'paywire-callback', 'paywire-status', 'paywire-gateway']) {
      assert.equal((await editor.nodeIds(type)).length, flow.filter((n) => n.type === type).length, type);
    }
    assert.equal(await editor.label(await editor.nodeId('paywire-invoice')), 'create invoice');
    assert.equal(await editor.label(await editor.nodeId('paywire-callback')), 'callback /paywire/callback');
    assert.equal(await editor.label(await editor.nodeId('paywire-status')), 'state switch');
    await editor.shot('example-imported');
  });

  step('gateway dialog: choose the provider, only its fields, clear validation messages, test the connection', async () => {
    const page = editor.page;
    await editor.edit(await editor.nodeId('paywire-invoice'));
    await editor.shot('invoice-form');
    await editor.editConfig('gateway');
    const provider = page.locator('#node-config-input-provider');
    assert.deepEqual(await provider.locator('option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value)), ['cryptopay', 'cpg', 'payment-orders']);
    const shownCredentials = async (): Promise<string[]> =>
      page.locator('.paywire-gateway-credential:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-credential') ?? ''));

    // CPG publishes no base URLs: only "custom" can be chosen, and its own credential names show.
    await provider.selectOption('cpg');
    assert.equal(await page.locator('#node-config-input-environment').inputValue(), 'custom');
    assert.equal(await page.locator('#node-config-input-environment option[value="sandbox"]').isDisabled(), true);
    assert.equal((await page.locator('.paywire-gateway-credential[data-credential="apiKey"] label').innerText()).trim(), 'Key id');
    assert.deepEqual(await shownCredentials(), ['apiKey', 'apiSecret', 'callbackSecret']);
    await editor.shot('gateway-cpg');

    // Payment orders log in with a username and password (or a token); there is no API secret.
    // The username is no secret: it shows as typed, the password stays masked.
    await provider.selectOption('payment-orders');
    assert.deepEqual(await shownCredentials(), ['username', 'password', 'apiKey', 'callbackSecret']);
    assert.equal((await page.locator('.paywire-gateway-credential[data-credential="apiKey"] label').innerText()).trim(), 'API key (token)');
    // Its login tip comes from its catalog entry, under the password only.
    assert.deepEqual(await page.locator('.paywire-gateway-credential-hint:visible').evaluateAll((tips) => tips.map((t) => t.closest('[data-credential]')!.getAttribute('data-credential'))), ['password']);
    assert.match(await page.locator('.paywire-gateway-credential[data-credential="password"] .paywire-gateway-credential-hint').innerText(), /^CryptoPay payment orders: log in with a username and password/);
    assert.deepEqual(
      await page.locator('.paywire-gateway-credential:visible input').evaluateAll((inputs) => inputs.map((i) => `${i.id.replace('node-config-input-', '')}:${(i as HTMLInputElement).type}`)),
      ['username:text', 'password:password', 'apiKey:password', 'callbackSecret:password'],
    );
    // Filled in as for the payment-orders emulator, for the picture; emptied again after it.
    const baseUrl = page.locator('#node-config-input-baseUrl');
    const savedBaseUrl = await baseUrl.inputValue();
    await baseUrl.fill('http://127.0.0.1:4030');
    await page.locator('#node-config-input-username').fill('merchant');
    await page.locator('#node-config-input-password').fill('a-password');
    await editor.docShot('dialog-paywire-gateway-payment-orders', page.locator('.red-ui-tray').last());
    await page.locator('#node-config-input-username').fill('');
    await page.locator('#node-config-input-password').fill('');
    await baseUrl.fill(savedBaseUrl);

    await provider.selectOption('cryptopay');
    assert.equal(await page.locator('.paywire-gateway-credential-hint:visible').count(), 0, 'no login tip for Cryptopay');
    assert.deepEqual(await shownCredentials(), ['apiKey', 'apiSecret', 'callbackSecret']);
    await page.locator('#node-config-input-environment').selectOption('sandbox');
    assert.equal(await page.locator('#paywire-gateway-baseUrl-row').isVisible(), false, 'no base URL for a published environment');
    assert.match(await page.locator('#paywire-gateway-environment-url').innerText(), /^https:\/\/business-sandbox\.cryptopay\.me/);
    await page.locator('#node-config-input-environment').selectOption('custom');

    // Validation: the field turns red and says why.
    await page.locator('#node-config-input-baseUrl').fill('ftp://example');
    await page.locator('#node-config-input-timeout').fill('0');
    await page.locator('#node-config-input-name').click();
    for (const [field, message] of [
      ['baseUrl', catalogText('en-US', 'paywire-gateway').errors.baseUrlInvalid],
      ['timeout', catalogText('en-US', 'paywire-gateway').errors.timeout],
    ]) {
      const input = page.locator(`#node-config-input-${field}`);
      assert.match((await input.getAttribute('class')) ?? '', /input-error/, `${field} is marked invalid`);
      // Hovering the field shows why, as a tooltip.
      await input.hover();
      const tooltip = page.locator('.red-ui-popover', { hasText: message });
      await tooltip.waitFor();
      await editor.shot(`gateway-invalid-${field}`);
      await page.mouse.move(5, 5);
      await tooltip.waitFor({ state: 'detached' });
    }

    await page.locator('#node-config-input-baseUrl').fill(emulator.url);
    await page.locator('#node-config-input-timeout').fill('10');
    await page.locator('#node-config-input-apiKey').fill(KEY);
    await page.locator('#node-config-input-apiSecret').fill('a-wrong-secret');
    await page.locator('#node-config-input-callbackSecret').fill(CALLBACK_SECRET);
    const result = page.locator('#paywire-gateway-test-result');
    await page.click('#paywire-gateway-test');
    await result.filter({ hasText: /401|credential|authent/i }).waitFor();
    await editor.shot('gateway-test-failed');
    await page.locator('#node-config-input-apiSecret').fill(SECRET);
    await page.click('#paywire-gateway-test');
    await result.filter({ hasText: 'Connected to Cryptopay' }).waitFor();
    assert.ok((await result.innerText()).includes(`at ${emulator.url}: the credentials work`), await result.innerText());
    await editor.docShot('dialog-paywire-gateway', page.locator('.red-ui-tray').last());
    await editor.configDone();
    await editor.done();
  });

  step('deploys the example; its nodes show status badges, and an inject button runs a payment', async () => {
    const page = editor.page;
    // The example's emulator control points at the default emulator port; aim it at this one.
    await editor.edit(await editor.nodeId('http request', 'emulator: pay'));
    const url = page.locator('#node-input-url');
    await url.fill((await url.inputValue()).replace('http://127.0.0.1:4010', emulator.url));
    await editor.done();
    await editor.deploy();

    const callback = await editor.nodeId('paywire-callback');
    const invoice = await editor.nodeId('paywire-invoice');
    const status = await editor.nodeId('paywire-status');
    assert.equal(await editor.waitForStatus(callback, /listening/), 'listening /paywire/callback');
    await editor.shot('deployed');

    await editor.pressButton(await editor.nodeId('inject', 'pay exactly'));
    await editor.waitForStatus(invoice, /pending|confirming|completed/);
    await editor.waitForStatus(callback, /completed/);
    await editor.waitForStatus(status, /completed/);
    // Green dots: a completed payment is good news.
    assert.match((await editor.node(status).locator('.red-ui-flow-node-status').getAttribute('class')) ?? '', /dot-green/);
    await editor.shot('paid');
  });

  step('never sends a saved secret back to the browser; the test button then uses the stored one', async () => {
    const page = editor.page;
    await editor.load();
    await editor.showFlow('Paywire: invoice lifecycle');
    await editor.edit(await editor.nodeId('paywire-invoice'));
    await editor.editConfig('gateway');
    for (const name of ['apiKey', 'apiSecret', 'callbackSecret']) {
      const value = await page.locator(`#node-config-input-${name}`).inputValue();
      assert.equal(value, '__PWRD__', `${name} shows the placeholder for a stored value`);
    }
    // A change not deployed yet, tested with the stored credentials.
    await page.locator('#node-config-input-timeout').fill('12');
    await page.click('#paywire-gateway-test');
    await page.locator('#paywire-gateway-test-result', { hasText: 'Connected to Cryptopay' }).waitFor();
    await editor.shot('gateway-stored-credentials');
    await editor.configCancel();
    await editor.cancel();

    const responses = await editor.settled();
    assert.ok(responses.some((r) => r.url.includes('/credentials/paywire-gateway/')), 'the dialog asked for the credentials');
    assert.ok(responses.some((r) => /\/flows(\?|$)/.test(r.url) && r.leaked.includes(GATEWAY_NAME)), 'the search finds what the browser was sent');
    const leaks = responses.map((r) => ({ url: r.url, leaked: r.leaked.filter((v) => v !== GATEWAY_NAME) })).filter((r) => r.leaked.length > 0);
    assert.deepEqual(leaks, [], 'a credential reached the browser');
  });

  step('forms follow the provider of the chosen gateway; the withdraw label says "withdraw 50 USDT"', async () => {
    const page = editor.page;
    const withdraw = await editor.dropFromPalette('paywire-withdraw', 640, 720);
    await editor.edit(withdraw);
    await page.locator('#node-input-gateway').selectOption(await editor.nodeId('paywire-gateway', 'Cryptopay emulator'));
    await editor.formReady();
    // Cryptopay's payout fields.
    assert.deepEqual((await editor.fieldNames()).slice(0, 3), ['address', 'charged_currency', 'received_currency']);
    // A value its TypedInput type can not carry: the node is marked, and says which field and why.
    await editor.setField('charged_amount', '50,5', 'num');
    await editor.done();
    const problems = await page.evaluate((id) => (window as any).RED.nodes.node(id).validationErrors as string[], withdraw);
    assert.deepEqual(problems, ['Charged amount is not a number']);
    await editor.node(withdraw).locator('.red-ui-flow-node-error').hover();
    await page.locator('g.red-ui-flow-port-tooltip', { hasText: 'Charged amount is not a number' }).waitFor();
    await editor.shot('withdraw-invalid-field');
    await page.mouse.move(5, 5);
    await editor.edit(withdraw);
    await editor.setField('charged_amount', '50');
    await editor.setField('charged_currency', 'USDT');
    await editor.setField('received_currency', 'USDT');
    await editor.shot('withdraw-form-cryptopay');
    await editor.done();
    assert.equal(await editor.label(withdraw), 'withdraw 50 USDT');
    assert.equal(await page.evaluate((id) => (window as any).RED.nodes.node(id).valid as boolean, withdraw), true);

    // A CPG gateway added from the node's dialog: the operations and fields become CPG's.
    await editor.edit(withdraw);
    await editor.editConfig('gateway', true);
    await page.locator('#node-config-input-provider').selectOption('cpg');
    await page.locator('#node-config-input-baseUrl').fill('http://127.0.0.1:9');
    await page.locator('#node-config-input-name').fill('CPG test');
    await editor.configDone();
    await editor.formReady();
    assert.deepEqual(await page.locator('#node-input-operation option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value)), ['create', 'get']);
    assert.deepEqual(await editor.fieldNames(), ['currency', 'network', 'to_address', 'amount', 'client_reference']);
    await editor.setField('amount', '50');
    await editor.setField('currency', 'USDT');
    await editor.setField('network', 'tron');
    await editor.shot('withdraw-form-cpg');
    await editor.done();
    assert.equal(await editor.label(withdraw), 'withdraw 50 USDT');
    await editor.shot('withdraw-labelled');
  });

  step('shows the edit form of every node type without errors', async () => {
    const page = editor.page;
    let y = 560;
    for (const type of nodeTypes().filter((t) => !CONFIG_TYPES.has(t))) {
      const ids = await editor.nodeIds(type);
      const id = ids[0] ?? (await editor.dropFromPalette(type, 300, (y += 60)));
      await editor.edit(id);
      // A node just dropped has no gateway yet: give it the one there is, as a user would.
      const gateway = page.locator('#node-input-gateway');
      if ((await gateway.count()) > 0 && !/^pw-gateway-/.test(await gateway.inputValue())) {
        await gateway.selectOption(await editor.nodeId('paywire-gateway', GATEWAY_NAME));
        await editor.formReady();
      }
      const tray = page.locator('.red-ui-tray').last();
      // Every label of the form is translated (an untranslated one shows its key).
      const labels = await tray.locator('.red-ui-tray-body label').allInnerTexts();
      assert.ok(!labels.some((l) => l.includes(`${type}.`)), `${type}: untranslated label in ${labels.join(' | ')}`);
      assert.deepEqual(await editor.brokenFieldLabels(), [], `${type}: a field label is broken inside a word`);
      await editor.docShot(`dialog-${type}`, tray);
      await editor.cancel();
    }
  });

  step('imports a second example that uses the same gateway: "Import copy" reuses the gateway already there', async () => {
    const page = editor.page;
    const gatewaysBefore = await editor.nodeIds('paywire-gateway');
    await editor.importExample(PACKAGE, '01 Create an invoice', false);
    // Node-RED finds the gateway's id already in the workspace and asks what to do.
    const notice = page.locator('.red-ui-notification', { hasText: /already exist/ });
    await notice.waitFor();
    await editor.shot('import-conflict', notice, { notifications: true });
    await notice.getByRole('button', { name: 'Import copy' }).click();
    await editor.showFlow('Paywire: create an invoice');
    assert.deepEqual(await editor.nodeIds('paywire-gateway'), gatewaysBefore, 'no second gateway');
    const imported = await page.evaluate(() => {
      const RED = (window as any).RED;
      return (RED.nodes.filterNodes({ z: RED.workspaces.active(), type: 'paywire-invoice' }) as Array<{ gateway: string }>).map((n) => n.gateway);
    });
    assert.deepEqual(imported, ['pw-gateway-cryptopay-emulator', 'pw-gateway-cryptopay-emulator'], 'the new nodes use the gateway already configured');
    // The tab goes again, so the steps after this one see the workspace they expect.
    await page.evaluate(() => (window as any).RED.workspaces.delete((window as any).RED.workspaces.active()));
    await editor.showFlow('Paywire: invoice lifecycle');
  });

  step("shows each node's help in the help sidebar", async () => {
    const page = editor.page;
    for (const type of nodeTypes()) {
      const help = await editor.showHelp(type, catalogText('en-US', type).paletteLabel as string);
      const text = await help.innerText();
      const inputs = await page.evaluate((t) => (window as any).RED.nodes.getType(t).inputs as number | undefined, type);
      const sections = CONFIG_TYPES.has(type) ? [] : [...(inputs ? ['Inputs'] : []), 'Outputs', 'Details'];
      for (const section of sections) assert.ok(text.includes(section), `${type} help has ${section}`);
      assert.ok(text.length > 400, `${type} help is ${text.length} characters`);
      await editor.shot(`help-${type}`, page.locator('.red-ui-sidebar-help-stack').locator('..'));
    }
  });

  step('speaks German when the browser does', async () => {
    const german = await Editor.open(browser, nodeRed.url, { locale: 'de-DE', shots: 'de' });
    try {
      const page = german.page;
      await page.locator('#red-ui-palette-container-paywire').scrollIntoViewIfNeeded();
      for (const type of nodeTypes().filter((t) => !CONFIG_TYPES.has(t))) {
        const shown = await page.locator(`.red-ui-palette-node[data-palette-type="${type}"] .red-ui-palette-label`).innerText();
        const label = catalogText('de', type).paletteLabel as string;
        assertOneLine(shown.split('\n'), label, type);
        assert.equal(shown.replace(/\s+/g, ' ').trim(), label, `${type} palette label in German`);
      }
      await german.shot('palette', page.locator('#red-ui-palette-container-paywire'));
      await german.showFlow('Paywire: invoice lifecycle');
      const invoice = await german.nodeId('paywire-invoice');
      // Canvas labels come from the German message catalog, nouns capitalised.
      assert.equal(await german.label(invoice), catalogText('de', 'paywire-invoice').operationLabel.create);
      await german.edit(invoice);
      await german.editConfig('gateway');
      const de = catalogText('de', 'paywire-gateway');
      assert.equal((await page.locator('label[for="node-config-input-provider"]').innerText()).trim(), de.label.provider);
      assert.equal((await page.locator('#paywire-gateway-test').innerText()).trim(), de.label.testConnection);
      for (const name of ['apiKey', 'apiSecret', 'callbackSecret']) {
        assert.equal((await page.locator(`.paywire-gateway-credential[data-credential="${name}"] label`).innerText()).trim(), de.label[name]);
      }
      await german.shot('gateway');
      // Provider and credential names from the German catalog.
      const provider = page.locator('#node-config-input-provider');
      assert.equal((await provider.locator('option[value="payment-orders"]').innerText()).trim(), 'CryptoPay-Zahlungsaufträge');
      await provider.selectOption('payment-orders');
      assert.equal((await page.locator('.paywire-gateway-credential[data-credential="apiKey"] label').innerText()).trim(), 'API-Schlüssel (Token)');
      assert.equal((await page.locator('.paywire-gateway-credential[data-credential="username"] label').innerText()).trim(), de.label.username);
      // The provider's own tip under the password, from its German catalog texts.
      assert.match(await page.locator('.paywire-gateway-credential[data-credential="password"] .paywire-gateway-credential-hint').innerText(), /^CryptoPay-Zahlungsaufträge: Melden Sie sich mit Benutzername und Passwort an/);
      await german.shot('gateway-payment-orders');
      await german.configCancel();
      await german.formReady();
      // The invoice form: operations, description, field labels and help in German.
      const operation = page.locator('#node-input-operation');
      assert.equal(await operation.inputValue(), 'create');
      const operations = await operation.locator('option').allInnerTexts();
      assert.deepEqual(operations.slice(0, 3), ['Rechnung erstellen', 'Rechnung lesen', 'Rechnungen auflisten']);
      assert.match(await page.locator('#paywire-form-description').innerText(), /^Erstellt eine Rechnung, die der Kunde in Krypto bezahlt\./);
      // As shown: without the soft hyphens that let long compounds wrap.
      const fieldLabel = async (name: string): Promise<string> =>
        (await page.locator(`#paywire-form-fields .paywire-field-row > label[title="${name}"] > span`).first().innerText()).replace(/\u00ad/g, '');
      assert.equal(await fieldLabel('price_amount'), 'Preisbetrag');
      assert.equal(await fieldLabel('price_currency'), 'Preiswährung');
      assert.equal(await fieldLabel('pay_currency'), 'Zahlungswährung');
      const fieldHelp = await page.locator('#paywire-form-fields .paywire-field-help').allInnerTexts();
      assert.ok(fieldHelp.includes('Betrag in der Preiswährung, z. B. "100.00".'), fieldHelp.join(' | '));
      assert.deepEqual(await german.brokenFieldLabels(), []);
      // The gateway dialog and the form asked for the catalog in the editor's language.
      const requests = editorCatalogRequests(german);
      assert.ok(requests.length >= 2 && requests.every((url) => /[?&]lng=de\b/.test(url)), requests.join(' '));
      await german.shot('invoice-form');
      await german.cancel();

      // A payout form: the longest German field labels wrap inside the label column.
      const withdraw = await german.dropFromPalette('paywire-withdraw', 640, 720);
      await german.edit(withdraw);
      await page.locator('#node-input-gateway').selectOption(await german.nodeId('paywire-gateway', GATEWAY_NAME));
      await german.formReady();
      assert.equal(await page.locator('#node-input-operation option:checked').innerText(), 'Auszahlen');
      assert.equal(await fieldLabel('amount_includes_processing_fee'), 'Betrag enthält Bearbeitungsgebühr');
      assert.deepEqual(await german.brokenFieldLabels(), []);
      await german.setField('charged_amount', '50,5', 'num');
      await german.shot('withdraw-form');
      await page.locator('#paywire-form-fields label[title="amount_includes_network_fee"]').scrollIntoViewIfNeeded();
      await german.shot('withdraw-form-amounts');
      await german.done();
      // The reason on the node names the field in German.
      const problems = await page.evaluate((id) => (window as any).RED.nodes.node(id).validationErrors as string[], withdraw);
      assert.deepEqual(problems, ['Belasteter Betrag ist keine Zahl']);
      await german.node(withdraw).locator('.red-ui-flow-node-error').hover();
      await page.locator('g.red-ui-flow-port-tooltip', { hasText: 'Belasteter Betrag ist keine Zahl' }).waitFor();
      await german.shot('withdraw-invalid-field');
      await page.mouse.move(5, 5);
      // Translated help (every node has a German page; the state router stands for them here).
      const help = await german.showHelp('paywire-status', catalogText('de', 'paywire-status').paletteLabel as string);
      await help.getByText('Verteilt eine Nachricht nach ihrem Zahlungszustand', { exact: false }).waitFor();
      for (const section of ['Eingaben', 'Ausgaben', 'Details']) assert.ok((await help.innerText()).includes(section), section);
      await german.shot('help-paywire-status', help.locator('..'));
      assert.deepEqual(german.errors, []);
    } finally {
      await german.close();
    }
  });
});
