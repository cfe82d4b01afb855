/**
 * Composes the editor help of each node at build time. A node's help in nodes/locales/<lang>/
 * keeps what is true for every provider and marks, on a line of its own, where the providers'
 * own parts go: `<!-- provider help: inputs -->`. A provider's parts are plain HTML fragments
 * in its folder, lib/providers/<id>/help/<lang>/<node>.<slot>.html; each marker is replaced by
 * the fragments for its slot from the registered providers, in registration order, each
 * followed by the blank lines that follow the marker (so sections stay apart and list items
 * stay together). A fragment no marker asks for (unknown node, language or slot, or a folder
 * of a provider that is not registered) fails the build instead of being dropped silently.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface HelpFragment {
  provider: string;
  lang: string;
  node: string;
  slot: string;
  /** Where it came from, for messages. */
  file: string;
  text: string;
}

const MARKER = /^[ \t]*<!-- provider help: ([a-z][a-z0-9-]*) -->\n((?:[ \t]*\n)*)/gm;
const FRAGMENT_NAME = /^(paywire-[a-z]+)\.([a-z][a-z0-9-]*)\.html$/;

/** The slots a help page marks, in order. */
export function helpSlots(source: string): string[] {
  return [...source.matchAll(MARKER)].map((m) => m[1]!);
}

/** One help page with the fragments for it (already in provider order) in place of its markers. */
export function composeHelp(source: string, fragments: readonly HelpFragment[]): string {
  return source.replace(MARKER, (_marker, slot: string, gap: string) =>
    fragments
      .filter((f) => f.slot === slot)
      .map((f) => `${f.text.trimEnd()}\n${gap}`)
      .join(''),
  );
}

/** Every fragment under providersDir/<id>/help/, for the given providers in that order. */
export function readHelpFragments(providersDir: string, providerIds: readonly string[]): HelpFragment[] {
  const withHelp = fs
    .readdirSync(providersDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(providersDir, e.name, 'help')))
    .map((e) => e.name);
  const unregistered = withHelp.filter((name) => !providerIds.includes(name));
  if (unregistered.length > 0) throw new Error(`help fragments of a provider that is not registered: ${unregistered.map((n) => path.join(providersDir, n, 'help')).join(', ')}`);
  const out: HelpFragment[] = [];
  for (const provider of providerIds) {
    const helpDir = path.join(providersDir, provider, 'help');
    if (!fs.existsSync(helpDir)) continue;
    for (const lang of fs.readdirSync(helpDir).sort()) {
      for (const name of fs.readdirSync(path.join(helpDir, lang)).sort()) {
        const file = path.join(helpDir, lang, name);
        const parsed = FRAGMENT_NAME.exec(name);
        if (!parsed) throw new Error(`${file}: a help fragment is named <node>.<slot>.html, e.g. paywire-invoice.inputs.html`);
        out.push({ provider, lang, node: parsed[1]!, slot: parsed[2]!, file, text: fs.readFileSync(file, 'utf8') });
      }
    }
  }
  return out;
}

/**
 * The composed help pages, by "<lang>/<node>.html", for every help page in localesDir. Throws
 * when a fragment has no marker to go to.
 */
export function composeAllHelp(localesDir: string, fragments: readonly HelpFragment[]): Map<string, string> {
  const pages = new Map<string, string>();
  for (const lang of fs.readdirSync(localesDir).sort()) {
    for (const name of fs.readdirSync(path.join(localesDir, lang)).filter((f) => f.endsWith('.html')).sort()) {
      pages.set(`${lang}/${name}`, fs.readFileSync(path.join(localesDir, lang, name), 'utf8'));
    }
  }
  const homeless = fragments.filter((f) => !helpSlots(pages.get(`${f.lang}/${f.node}.html`) ?? '').includes(f.slot));
  if (homeless.length > 0) {
    throw new Error(`help fragments for a node, language or slot no help page marks:\n${homeless.map((f) => `  ${f.file} (no "${f.slot}" marker in ${f.lang}/${f.node}.html)`).join('\n')}`);
  }
  const composed = new Map<string, string>();
  for (const [key, source] of pages) {
    composed.set(key, composeHelp(source, fragments.filter((f) => `${f.lang}/${f.node}.html` === key)));
  }
  return composed;
}
