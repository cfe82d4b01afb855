/**
 * Drives the Node-RED editor in a real headless Chromium (Debian's, through playwright-core)
 * the way a user does: palette, menus, edit dialogs, deploy, inject buttons, sidebars.
 * Only loopback requests leave the browser; every response body is kept so a test can
 * prove that no secret ever reached the browser.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './paths';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Screenshots of each step, one folder per test run (ignored by git). */
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, '.screenshots', process.env.PAYWIRE_TEST_LABEL ?? 'default');

/**
 * The README's pictures. Written only when asked (`npm run docs:images` sets
 * PAYWIRE_SCREENSHOTS=1), so a test run leaves the tree as it was.
 */
export const DOC_IMAGES_DIR = path.join(REPO_ROOT, 'docs', 'images');
const WRITE_DOC_IMAGES = process.env.PAYWIRE_SCREENSHOTS === '1';

export function chromiumPath(): string {
  const candidate = process.env.PAYWIRE_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(candidate)) {
    throw new Error(`Chromium not found at ${candidate}: install it (apt-get install -y chromium, as .ci/run does) or set PAYWIRE_CHROMIUM`);
  }
  return candidate;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    // data: and blob: URLs stay inside the page.
    return url.startsWith('data:') || url.startsWith('blob:');
  }
}

export interface EditorOptions {
  /** Browser language (navigator.language, Accept-Language); the editor follows it. */
  locale?: string;
  /** Sub-folder of SCREENSHOTS_DIR. */
  shots?: string;
  /** Values no response to the browser may contain; each body is searched as it arrives. */
  secrets?: string[];
  /** Window size; the default leaves room for the palette, a canvas and the sidebar. */
  viewport?: { width: number; height: number };
}

export class Editor {
  /**
   * Every text-like response the browser received, with the secrets found in its body. The
   * bodies themselves are not kept: the editor's scripts are megabytes.
   */
  readonly responses: Array<{ url: string; leaked: string[] }> = [];
  /** URL and status of every response. */
  readonly statuses: Array<{ url: string; status: number }> = [];
  readonly errors: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  private shotCount = 0;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly shotsDir: string,
  ) {}

  static async open(browser: Browser, url: string, options: EditorOptions = {}): Promise<Editor> {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 }, locale: options.locale ?? 'en-US' });
    await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : route.abort()));
    // Fail a step quickly instead of waiting out Playwright's 30 s default.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const shotsDir = path.join(SCREENSHOTS_DIR, options.shots ?? 'en-US');
    fs.rmSync(shotsDir, { recursive: true, force: true });
    fs.mkdirSync(shotsDir, { recursive: true });
    const editor = new Editor(context, page, shotsDir);
    page.on('pageerror', (err) => editor.errors.push(err.message));
    page.on('response', (res) => {
      editor.statuses.push({ url: res.url(), status: res.status() });
      const type = res.headers()['content-type'] ?? '';
      if (!/json|text|javascript|html/.test(type)) return;
      const read = res
        .text()
        .then((body) => void editor.responses.push({ url: res.url(), leaked: (options.secrets ?? []).filter((secret) => body.includes(secret)) }))
        .catch(() => undefined)
        .finally(() => editor.pending.delete(read));
      editor.pending.add(read);
    });
    await editor.load(url);
    return editor;
  }

  /** Opens (or reloads) the editor and waits until the palette and the first flow are drawn. */
  async load(url?: string): Promise<void> {
    // The editor is megabytes of script: on a busy machine its load event can take longer than
    // the 10 s a step gets. Waiting longer keeps the meaning: the editor must load, not race.
    if (url) await this.page.goto(url, { timeout: 60_000 });
    else await this.page.reload({ timeout: 60_000 });
    await this.page.waitForSelector('#red-ui-palette-container-paywire', { timeout: 30_000 });
    await this.page.waitForFunction(() => {
      const RED = (window as unknown as { RED?: { workspaces?: { active(): string } } }).RED;
      return !!RED?.workspaces?.active();
    });
    // The tips box at the bottom of the sidebar changes between screenshots.
    await this.page.evaluate(() => {
      const RED = (window as any).RED;
      RED.actions.invoke('core:toggle-show-tips', false);
    });
  }

  /** Waits until every response seen so far has been read. */
  async settled(): Promise<Array<{ url: string; leaked: string[] }>> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    return this.responses;
  }

  async shot(name: string, target?: Locator, options: { notifications?: boolean } = {}): Promise<string> {
    this.shotCount += 1;
    const file = path.join(this.shotsDir, `${String(this.shotCount).padStart(2, '0')}-${name}.png`);
    // Notifications ("Imported", "Successfully deployed") are transient and would cover the
    // canvas; steps that care check them before the screenshot, or picture one on purpose.
    if (!options.notifications) await this.page.evaluate(() => document.querySelectorAll<HTMLElement>('.red-ui-notification').forEach((n) => (n.style.display = 'none')));
    // Let popovers and the canvas finish drawing.
    await this.page.waitForTimeout(150);
    if (target) await target.screenshot({ path: file });
    else await this.page.screenshot({ path: file });
    return file;
  }

  /** A screenshot the README uses: as any other step's, and as docs/images/<name>.png when asked. */
  async docShot(name: string, target?: Locator): Promise<string> {
    const file = await this.shot(name, target);
    if (WRITE_DOC_IMAGES) {
      fs.mkdirSync(DOC_IMAGES_DIR, { recursive: true });
      fs.copyFileSync(file, path.join(DOC_IMAGES_DIR, `${name}.png`));
    }
    return file;
  }

  /**
   * Pairs of nodes on the shown tab whose drawings overlap: the node with its label, ports,
   * button and status text, as the canvas shows them. Each pair as "a / b".
   */
  overlappingNodes(margin = 1): Promise<string[]> {
    return this.page.evaluate((margin) => {
      const RED = (window as any).RED;
      const tab = RED.workspaces.active();
      const boxes: Array<{ name: string; r: DOMRect }> = [];
      for (const n of RED.nodes.filterNodes({ z: tab }) as Array<{ id: string; type: string; name?: string }>) {
        const group = document.querySelector<SVGGElement>(`g.red-ui-flow-node-group[id="${n.id}"]`);
        if (!group) continue;
        const label = (group.querySelector('.red-ui-flow-node-label')?.textContent ?? '').trim();
        boxes.push({ name: `${n.type} "${label || n.name || n.id}"`, r: group.getBoundingClientRect() });
      }
      const overlaps: string[] = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.r;
          const b = boxes[j]!.r;
          if (a.left + margin < b.right && b.left + margin < a.right && a.top + margin < b.bottom && b.top + margin < a.bottom) overlaps.push(`${boxes[i]!.name} / ${boxes[j]!.name}`);
        }
      }
      return overlaps;
    }, margin);
  }

  /** Ids of the nodes of a type, optionally only those with a name. */
  nodeIds(type: string, name?: string): Promise<string[]> {
    return this.page.evaluate(
      ({ type, name }) => {
        const RED = (window as any).RED;
        const found: Array<{ id: string; name?: string }> = [...RED.nodes.filterNodes({ type })];
        // Config nodes are not in filterNodes.
        RED.nodes.eachConfig((n: { id: string; type: string; name?: string }) => {
          if (n.type === type) found.push(n);
        });
        return found.filter((n) => name === undefined || n.name === name).map((n) => n.id);
      },
      { type, name },
    );
  }

  async nodeId(type: string, name?: string): Promise<string> {
    const ids = await this.nodeIds(type, name);
    if (ids.length !== 1) throw new Error(`expected one ${type}${name ? ` named "${name}"` : ''}, found ${ids.length}`);
    return ids[0]!;
  }

  node(id: string): Locator {
    return this.page.locator(`g.red-ui-flow-node-group[id="${id}"]`);
  }

  async label(id: string): Promise<string> {
    return ((await this.node(id).locator('.red-ui-flow-node-label').textContent()) ?? '').replace(/\s+/g, ' ').trim();
  }

  async statusText(id: string): Promise<string> {
    return (await this.node(id).locator('.red-ui-flow-node-status-label').textContent()) ?? '';
  }

  async waitForStatus(id: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const text = await this.statusText(id);
      if (pattern.test(text)) return text;
      if (Date.now() - started > timeoutMs) throw new Error(`status of ${id} is "${text}", expected ${String(pattern)}`);
      await this.page.waitForTimeout(100);
    }
  }

  /** Labels of the flow tabs, in order. */
  tabLabels(): Promise<string[]> {
    return this.page.evaluate(() => {
      const labels: string[] = [];
      (window as any).RED.nodes.eachWorkspace((w: { label: string }) => void labels.push(w.label));
      return labels;
    });
  }

  async showFlow(label: string): Promise<void> {
    await this.page.locator('#red-ui-workspace-tabs .red-ui-tab', { hasText: label }).first().click();
  }

  /**
   * Menu → Import → Examples → module → file → Import. `waitClosed: false` when Node-RED will
   * ask about nodes that already exist instead of importing at once.
   */
  async importExample(moduleName: string, file: string, waitClosed = true): Promise<void> {
    await this.page.click('#red-ui-header-button-sidemenu');
    await this.page.click('#menu-item-import');
    await this.page.locator('#red-ui-clipboard-dialog-import-tabs .red-ui-tab', { hasText: /^Examples|Beispiele$/ }).click();
    const library = this.page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await library.getByText(moduleName, { exact: true }).click();
    await library.getByText(file, { exact: true }).click();
    await this.shot('import-dialog');
    await this.page.click('#red-ui-clipboard-dialog-ok');
    if (waitClosed) await this.page.locator('#red-ui-clipboard-dialog').waitFor({ state: 'hidden' });
  }

  /** Double-clicks a node on the canvas and waits for its edit dialog. */
  async edit(id: string): Promise<void> {
    await this.node(id).locator('rect.red-ui-flow-node').dblclick();
    await this.page.locator('#node-dialog-ok').waitFor();
    await this.formReady();
  }

  /** Waits for our forms to finish loading the catalog (their fields are drawn from it). */
  async formReady(): Promise<void> {
    await this.page.waitForFunction(() => !document.querySelector('#paywire-form-fields[data-state="loading"]'));
    await this.page.waitForTimeout(200);
  }

  /** Clicks a dialog button and waits until the dialog has gone. */
  private async closeWith(button: string): Promise<void> {
    await this.page.click(button);
    await this.page.locator(button).waitFor({ state: 'detached' });
  }

  done = (): Promise<void> => this.closeWith('#node-dialog-ok');
  cancel = (): Promise<void> => this.closeWith('#node-dialog-cancel');
  configDone = (): Promise<void> => this.closeWith('#node-config-dialog-ok');
  configCancel = (): Promise<void> => this.closeWith('#node-config-dialog-cancel');

  /** Opens the config node of a node's config field with the pencil (or + to add one). */
  async editConfig(property: string, add = false): Promise<void> {
    await this.page.click(`#node-input-btn-${property}-${add ? 'add' : 'edit'}`);
    await this.page.locator('#node-config-dialog-ok').waitFor();
    await this.page.waitForTimeout(200);
  }

  async deploy(): Promise<void> {
    await this.page.click('#red-ui-header-button-deploy');
    await this.page.locator('.red-ui-notification', { hasText: /Successfully deployed|Erfolgreich übernommen/ }).waitFor({ timeout: 15_000 });
    await this.page.waitForFunction(() => (window as any).RED.nodes.dirty() === false);
  }

  /** Clicks a sidebar tab's button: a tab link in Node-RED 4, a button in the sidebar bar in 5. */
  async openSidebar(tab: string): Promise<void> {
    const link = this.page.locator(`#red-ui-tab-${tab}-link-button`);
    if ((await link.count()) > 0) return link.click();
    const name = await this.page.evaluate((t) => (window as any).RED._(`sidebar.${t}.name`) as string, tab);
    await this.page.locator(`button[aria-label="${name}"]`).first().click();
  }

  /**
   * Shows a node type's help the way a user finds it: the help sidebar's search box, then the
   * node in the list. Returns the help text's container.
   */
  async showHelp(type: string, title: string): Promise<Locator> {
    const tocButton = this.page.locator('#red-ui-sidebar-help-show-toc');
    if (!(await tocButton.isVisible())) await this.openSidebar('help');
    const search = this.page.locator('.red-ui-sidebar-header', { has: tocButton }).locator('input').first();
    await search.fill(type);
    // The search box filters on key presses.
    await search.press('End');
    await this.page.locator('.red-ui-sidebar-help-toc .red-ui-node-label', { hasText: new RegExp(`^${title}$`) }).click();
    const heading = this.page.locator('h1.red-ui-help-title', { hasText: title });
    await heading.waitFor();
    return heading.locator('..');
  }

  /** Clicks the button on the left of an inject node. */
  async pressButton(id: string): Promise<void> {
    await this.node(id).locator('.red-ui-flow-node-button rect.red-ui-flow-node-button-button').click();
  }

  /** Drops a node from the palette onto the canvas at (x, y) of the page. */
  async dropFromPalette(type: string, x: number, y: number): Promise<string> {
    const before = new Set(await this.nodeIds(type));
    const item = this.page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
    await item.scrollIntoViewIfNeeded();
    const box = await item.boundingBox();
    if (!box) throw new Error(`${type} is not visible in the palette`);
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(x - 20, y, { steps: 8 });
    await this.page.mouse.move(x, y, { steps: 4 });
    await this.page.mouse.up();
    const added = (await this.nodeIds(type)).filter((id) => !before.has(id));
    if (added.length !== 1) throw new Error(`dropping ${type} added ${added.length} nodes`);
    return added[0]!;
  }

  /** Sets a TypedInput of our action forms by field name: type first, then value. */
  async setField(name: string, value: string, type = 'str'): Promise<void> {
    const id = `node-input-paywire-field-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    await this.page.evaluate(
      ({ id, value, type }) => {
        const input = (window as any).$(`#${id}`);
        input.typedInput('type', type);
        input.typedInput('value', value);
      },
      { id, value, type },
    );
  }

  /** Names of the fields our action form currently shows, in order. */
  fieldNames(): Promise<string[]> {
    return this.page.locator('#paywire-form-fields .paywire-field-row > label').evaluateAll((labels) => labels.map((l) => l.getAttribute('title') ?? ''));
  }

  /**
   * Field labels of our action form with a word broken across two lines anywhere but at a
   * hyphen or a soft hyphen ("Bearbeitungsgebü" / "hr").
   */
  brokenFieldLabels(): Promise<string[]> {
    return this.page.locator('#paywire-form-fields .paywire-field-row > label > span:first-child').evaluateAll((spans) => {
      const broken: string[] = [];
      for (const span of spans) {
        const text = span.firstChild;
        if (!text || text.nodeType !== Node.TEXT_NODE) continue;
        // The line a character is drawn on: the last box of its range (a range that starts at a
        // line break also reports a box at the end of the line before, e.g. a soft hyphen's "-").
        const lineOf = (at: number): number => {
          const range = document.createRange();
          range.setStart(text, at);
          range.setEnd(text, at + 1);
          const boxes = range.getClientRects();
          return Math.round(boxes[boxes.length - 1]?.top ?? 0);
        };
        for (const word of (text.textContent ?? '').matchAll(/[^\s\u00ad-]+/g)) {
          if (lineOf(word.index) !== lineOf(word.index + word[0].length - 1)) broken.push(`${(text.textContent ?? '').replace(/\u00ad/g, '')} ("${word[0]}")`);
        }
      }
      return broken;
    });
  }

  /** Cancels whatever edit dialogs a failed step left open, innermost first. */
  async closeDialogs(): Promise<void> {
    for (const id of ['#node-config-dialog-cancel', '#node-dialog-cancel', '#node-dialog-cancel']) {
      const button = this.page.locator(id);
      if (await button.isVisible()) {
        await button.click();
        await this.page.waitForTimeout(300);
      }
    }
    const importDialog = this.page.locator('#red-ui-clipboard-dialog-cancel');
    if (await importDialog.isVisible()) await importDialog.click();
  }

  async close(): Promise<void> {
    await this.settled();
    await this.context.close();
  }
}
