/**
 * The editor's catalog in German: every text the forms show from GET paywire/catalog (provider
 * and credential labels, operation and node labels and descriptions, field labels and help) has
 * a German translation in its own provider's texts (lib/providers/<p>/texts.de.ts), no
 * translation is left over, identifiers and numbers survive translation unchanged, and the terms
 * agree with the message catalogs. Then the endpoint itself: ?lng=de… gives German, anything
 * else English.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { catalog, getProvider } from '../../lib/providers';
import type { Catalog } from '../../lib/providers';
import { catalogCache, catalogLanguage, catalogTexts, mapCatalogTexts, translateCatalog } from '../../nodes/shared/catalog-i18n';
import type { CatalogTranslations } from '../../nodes/shared/catalog-i18n';
import type { LocalizedCatalog } from '../../nodes/shared/catalog-i18n';
import { helper, loadFlow } from '../support/node-red';
import type { LoadedFlow } from '../support/node-red';
import { REPO_ROOT } from '../support/paths';
import { messages } from '../support/messages';

const LOCALES = path.join(REPO_ROOT, 'nodes', 'locales');

/**
 * Texts German writes exactly as English: product names, and words German uses unchanged in
 * payment software (CPG calls its API secret "Secret", and the German gateway form does too).
 */
const SAME_IN_GERMAN = new Set(['Cryptopay (cryptopay.me)', 'CPG (Crypto Payment Gateway)', 'Name', 'Status', 'Blockchain', 'Nonce', 'Ping', 'Secret']);

/** A provider's own German texts, as the registry serves them. */
const germanOf = (providerId: string): CatalogTranslations => getProvider(providerId)?.texts?.de ?? {};

/** Where each text is shown, for messages: "cpg invoice/create field currency help". */
interface Occurrence {
  provider: string;
  where: string;
  english: string;
  /** Enum values of the field a help text describes: identifiers in that text. */
  options: string[];
}

function occurrences(c: Catalog): Occurrence[] {
  const out: Occurrence[] = [];
  for (const p of c.providers) {
    const provider = p.id;
    out.push({ provider, where: `${p.id} provider label`, english: p.label, options: [] });
    for (const cred of p.credentials) {
      out.push({ provider, where: `${p.id} credential ${cred.name}`, english: cred.label, options: [] });
      if (cred.hint !== undefined) out.push({ provider, where: `${p.id} credential ${cred.name} hint`, english: cred.hint, options: [] });
    }
    for (const [resource, ops] of Object.entries(p.resources)) {
      for (const op of ops) {
        const at = `${p.id} ${resource}/${op.name}`;
        out.push({ provider, where: `${at} label`, english: op.label, options: [] });
        if (op.nodeLabel !== undefined) out.push({ provider, where: `${at} node label`, english: op.nodeLabel, options: [] });
        out.push({ provider, where: `${at} description`, english: op.description, options: [] });
        for (const f of op.fields) {
          out.push({ provider, where: `${at} field ${f.name} label`, english: f.label, options: [] });
          if (f.help !== undefined) out.push({ provider, where: `${at} field ${f.name} help`, english: f.help, options: f.options ?? [] });
        }
      }
    }
  }
  return out;
}

/**
 * What must reach the German text unchanged: code in backticks, msg paths, snake_case,
 * camelCase and PascalCase names, dotted names (withdrawal.confirmed), codes in capitals (EUR,
 * USDT, ISO), numbers and example values ("100.00", 2026-01-31T00:00:00Z), JSON shapes, query
 * suffixes (address?dt=TAG) and node type names.
 */
const IDENTIFIER_PATTERNS = [
  /`[^`]+`/g,
  /\bmsg(?:\.[A-Za-z_$][\w$]*)+/g,
  /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g,
  /\b[a-z]+[A-Z][A-Za-z0-9]*\b/g,
  /\b[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*\b/g,
  /\b[a-z][a-z0-9_]+(?:\.[a-z][a-z0-9_]+)+\b/g,
  /\b[A-Z]{2,}[A-Z0-9]*\b/g,
  /\d+(?:\.\d+)*/g,
  /\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}/g,
  /\b\w+\?\w+=\w+/g,
  /\bpaywire-[a-z]+\b/g,
];

function identifiers(text: string, options: string[] = []): string[] {
  const found = new Set<string>();
  for (const pattern of IDENTIFIER_PATTERNS) for (const m of text.matchAll(pattern)) found.add(m[0]);
  for (const option of options) if (new RegExp(`(^|[^\\w.])${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`).test(text)) found.add(option);
  return [...found];
}

/** True when nothing but identifiers, numbers and punctuation is left: "URL", "BTC, ETH". */
function identifierOnly(text: string, options: string[] = []): boolean {
  let rest = text;
  for (const id of identifiers(text, options).sort((a, b) => b.length - a.length)) rest = rest.split(id).join(' ');
  return !/\p{L}/u.test(rest);
}

function messageCatalog(lang: string, type: string): Map<string, string> {
  return messages((JSON.parse(fs.readFileSync(path.join(LOCALES, lang, `${type}.json`), 'utf8')) as Record<string, unknown>)[type]);
}

/** The node type whose form shows a resource. */
function nodeTypeOf(resource: string): string {
  return ({ invoice: 'paywire-invoice', withdrawal: 'paywire-withdraw', transaction: 'paywire-transactions' } as Record<string, string>)[resource] ?? 'paywire-api';
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

describe('catalog texts in German (lib/providers/<p>/texts.de.ts)', () => {
  const english = catalog();
  const all = occurrences(english);
  /** The German text of one occurrence, from its own provider's texts. */
  const de = (o: Occurrence): unknown => (Object.prototype.hasOwnProperty.call(germanOf(o.provider), o.english) ? germanOf(o.provider)[o.english] : undefined);

  it('is, per provider, an object of texts without duplicate keys', () => {
    for (const p of english.providers) {
      const texts = germanOf(p.id);
      assert.equal(typeof texts, 'object', p.id);
      assert.ok(!Array.isArray(texts), p.id);
      for (const [key, value] of Object.entries(texts)) assert.equal(typeof value, 'string', `${p.id}: "${key}" is not a text`);
      const raw = fs.readFileSync(path.join(REPO_ROOT, 'lib', 'providers', p.id, 'texts.de.ts'), 'utf8');
      const keyLines = [...raw.matchAll(/^ {2}'((?:[^'\\]|\\.)*)':/gm)].length;
      assert.equal(keyLines, Object.keys(texts).length, `${p.id}: a key appears twice, or a key is not on a line of its own`);
    }
  });

  it('covers all three providers, every resource, operation and field', () => {
    assert.deepEqual(english.providers.map((p) => p.id), ['cryptopay', 'cpg', 'payment-orders']);
    const ops = english.providers.flatMap((p) => Object.values(p.resources).flat());
    assert.ok(ops.length >= 50, `${ops.length} operations`);
    assert.ok(all.length > 400, `${all.length} texts shown`);
    const missing = all.filter((o) => typeof de(o) !== 'string').map((o) => `${o.where}: ${o.english}`);
    assert.deepEqual(missing, [], 'texts without a German translation');
    // The same walk the endpoint uses finds the same texts.
    assert.deepEqual(new Set(catalogTexts(english)), new Set(all.map((o) => o.english)));
  });

  it('has no stale entry (every key is a text the catalog shows for that provider)', () => {
    for (const p of english.providers) {
      const shown = new Set(all.filter((o) => o.provider === p.id).map((o) => o.english));
      assert.deepEqual(Object.keys(germanOf(p.id)).filter((key) => !shown.has(key)), [], p.id);
    }
  });

  it('keeps identifiers, msg paths, codes and numbers of the English text unchanged', () => {
    const problems: string[] = [];
    for (const o of all) {
      const german = de(o) as string;
      for (const id of identifiers(o.english, o.options)) if (!german.includes(id)) problems.push(`${o.where}: "${id}" is missing in "${german}"`);
    }
    assert.deepEqual(problems, []);
  });

  it('names the same enum values in a field help, so the form adds no "One of" list German lacks', () => {
    const problems: string[] = [];
    for (const o of all.filter((x) => x.options.length > 0)) {
      const german = de(o) as string;
      for (const option of o.options) if (o.english.includes(option) && !german.includes(option)) problems.push(`${o.where}: ${option}`);
    }
    assert.deepEqual(problems, []);
  });

  it('has no empty translation, and none identical to English unless identifier-only or a name', () => {
    const problems: string[] = [];
    for (const o of all) {
      const german = de(o) as string;
      if (german.trim() === '') problems.push(`${o.where}: empty`);
      else if (german === o.english && !identifierOnly(o.english, o.options) && !SAME_IN_GERMAN.has(o.english)) problems.push(`${o.where}: not translated: ${o.english}`);
    }
    assert.deepEqual(problems, []);
    // The exceptions are still used: a stale one would hide an untranslated text later.
    for (const same of SAME_IN_GERMAN) assert.ok(all.some((o) => o.english === same), `${same} is no longer in the catalog`);
  });

  it('breaks long compounds in field labels only where German hyphenates them', () => {
    // A field label wraps in a 120px column; the browser does not hyphenate German by itself, so
    // a compound too wide for a line carries a soft hyphen (\u00ad), or it is broken anywhere.
    const problems: string[] = [];
    for (const o of all.filter((x) => / field \S+ label$/.test(x.where))) {
      for (const part of (de(o) as string).split(/[\s\u00ad-]+/)) if (part.length >= 16) problems.push(`${o.where}: "${part}"`);
    }
    assert.deepEqual(problems, []);
    // Only labels: descriptions and help have the full width and no soft hyphens.
    const elsewhere = all.filter((o) => !/ field \S+ label$/.test(o.where) && (de(o) as string).includes('\u00ad'));
    assert.deepEqual(elsewhere.map((o) => o.where), []);
  });

  it('identifies what must survive translation (the checks above are not vacuous)', () => {
    assert.deepEqual(
      identifiers('From msg.payload.invoice_id, e.g. "100.00" in EUR; XRP tag as address?dt=TAG; see withdrawal.confirmed, CoinWithdrawal, memoId, paywire-callback'),
      ['msg.payload.invoice_id', 'invoice_id', 'memoId', 'CoinWithdrawal', 'withdrawal.confirmed', 'EUR', 'XRP', 'TAG', '100.00', 'address?dt=TAG', 'paywire-callback'],
    );
    assert.deepEqual(identifiers('Travel rule: {type, name, address: {country, city}}.'), ['{type, name, address: {country, city}}']);
    assert.equal(identifierOnly('URL'), true);
    assert.equal(identifierOnly('Invoice, CoinWithdrawal, ChannelPayment …', ['Invoice', 'CoinWithdrawal', 'ChannelPayment']), true);
    assert.equal(identifierOnly('e.g. BTC'), false);
  });

  it('uses the terms of the message catalogs where they name the same thing', () => {
    const gatewayEn = messageCatalog('en-US', 'paywire-gateway');
    const gatewayDe = messageCatalog('de', 'paywire-gateway');
    const problems: string[] = [];
    const same = (where: string, en: string, key: string, enMessages: Map<string, string>, deMessages: Map<string, string>, german: string): void => {
      if (enMessages.get(key) === en && deMessages.get(key) !== german) problems.push(`${where}: "${german}" but the message catalog says "${deMessages.get(key)}" (${key})`);
    };
    for (const p of english.providers) {
      const own = germanOf(p.id);
      for (const c of p.credentials) {
        same(`${p.id} credential ${c.name}`, c.label, `label.${c.name}`, gatewayEn, gatewayDe, own[c.label] as string);
      }
      for (const [resource, ops] of Object.entries(p.resources)) {
        const type = nodeTypeOf(resource);
        const en = messageCatalog('en-US', type);
        const deMessages = messageCatalog('de', type);
        const prefix = type === 'paywire-api' ? `${resource}.` : '';
        for (const op of ops) {
          const german = own[op.label] as string;
          // The option text when the catalog is not loaded.
          same(`${p.id} ${resource}/${op.name}`, op.label, `operation.${prefix}${op.name}`, en, deMessages, german);
          // The node label on the canvas: the same words, in the case a label in a sentence has.
          const key = `operationLabel.${prefix}${op.name}`;
          if (en.get(key) === op.label.toLowerCase() && capitalize(deMessages.get(key) ?? '') !== german) {
            problems.push(`${p.id} ${resource}/${op.name}: "${german}" but the canvas label is "${deMessages.get(key)}"`);
          }
          // A provider's own canvas label that repeats its operation label does so in German too.
          if (op.nodeLabel !== undefined && op.nodeLabel === op.label.toLowerCase() && capitalize(own[op.nodeLabel] ?? '') !== german) {
            problems.push(`${p.id} ${resource}/${op.name}: "${german}" but the provider's canvas label is "${own[op.nodeLabel]}"`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('catalog overlay (nodes/shared/catalog-i18n)', () => {
  it('maps German language tags to German and anything else to English', () => {
    for (const tag of ['de', 'de-DE', 'de-AT', 'de-CH', 'de_CH', 'DE', 'de-DE-x-test']) assert.equal(catalogLanguage(tag), 'de', tag);
    for (const tag of [undefined, '', 'en', 'en-US', 'fr', 'deu-x', 'german', 'de;q=1', ['de'], 42, 'de-' + 'x'.repeat(40)]) assert.equal(catalogLanguage(tag), 'en', String(tag));
  });

  it('changes only the texts: names, kinds, options, payload keys, URLs and limits stay', () => {
    const english = catalog();
    const german = translateCatalog(english, germanOf);
    const blank = (c: Catalog): Catalog => mapCatalogTexts(c, () => '');
    assert.deepEqual(blank(german), blank(english));
    assert.equal(german.providers[0]!.resources.invoice![0]!.label, 'Rechnung erstellen');
    // A provider's own node label is a text too.
    assert.equal(german.providers.find((p) => p.id === 'payment-orders')!.resources.invoice![0]!.nodeLabel, 'Zahlungsauftrag anlegen');
    // The English catalog is not changed by the overlay.
    assert.equal(english.providers[0]!.resources.invoice![0]!.label, 'Create invoice');
    assert.deepEqual(catalog(), english);
  });

  it('falls back to English for a text without a translation', () => {
    const german = translateCatalog(catalog(), (id) => (id === 'cryptopay' ? { 'Create invoice': 'Rechnung erstellen' } : undefined));
    const create = german.providers[0]!.resources.invoice![0]!;
    assert.equal(create.label, 'Rechnung erstellen');
    assert.equal(create.description, catalog().providers[0]!.resources.invoice![0]!.description);
    // A provider without translations stays English.
    assert.equal(german.providers.find((p) => p.id === 'cpg')!.label, 'CPG (Crypto Payment Gateway)');
    assert.equal(german.providers.find((p) => p.id === 'payment-orders')!.label, 'CryptoPay payment orders');
    // An inherited property name is not a translation.
    assert.equal(translateCatalog(catalog(), () => ({})).providers[0]!.label, 'Cryptopay (cryptopay.me)');
  });

  it('translates the part of each provider with its own texts: a text two providers share, by each', () => {
    const textsOf = (p: Catalog['providers'][number]): string[] => catalogTexts({ providers: [p] });
    const english = catalog();
    const [first, second] = english.providers;
    const common = textsOf(first!).find((text) => textsOf(second!).includes(text));
    assert.ok(common, 'two providers share a text');
    const german = translateCatalog(english, (id) => ({ [common]: `${common} (${id})` }));
    for (const p of german.providers.slice(0, 2)) {
      assert.ok(textsOf(p).includes(`${common} (${p.id})`), p.id);
      assert.ok(!textsOf(p).includes(common), p.id);
    }
  });

  it('builds each language once, however many tags ask for it, and serves English when the translations fail', () => {
    let builds = 0;
    const served = catalogCache(
      () => {
        builds += 1;
        return catalog();
      },
      { translations: () => germanOf },
    );
    const german = served('de-DE');
    assert.equal(german.language, 'de');
    assert.equal(served('de-AT'), german);
    assert.equal(served('de'), german);
    assert.equal(served(undefined).language, 'en');
    assert.equal(served('fr'), served('en-US'));
    assert.equal(builds, 1);

    const errors: string[] = [];
    const broken = (): never => {
      throw new Error('unreadable');
    };
    const fallback = catalogCache(catalog, { translations: () => broken, onError: (language) => errors.push(language) })('de');
    assert.equal(fallback.language, 'en');
    assert.equal(fallback.providers[0]!.resources.invoice![0]!.label, 'Create invoice');
    assert.deepEqual(errors, ['de']);
  });

  it('starts over when the providers change (registryRevision)', () => {
    let revision = 0;
    let texts: CatalogTranslations = {};
    const served = catalogCache(catalog, { revision: () => revision, translations: () => () => texts });
    assert.equal(served('de').providers[0]!.resources.invoice![0]!.label, 'Create invoice');
    texts = { 'Create invoice': 'Rechnung erstellen' };
    assert.equal(served('de').providers[0]!.resources.invoice![0]!.label, 'Create invoice', 'cached');
    revision += 1;
    assert.equal(served('de').providers[0]!.resources.invoice![0]!.label, 'Rechnung erstellen');
  });
});

describe('GET paywire/catalog?lng=', () => {
  let flow: LoadedFlow | undefined;

  before(async () => {
    await helper.startServer();
    flow = await loadFlow([{ id: 'tab', type: 'tab' }]);
  });
  after(async () => {
    await flow?.close();
    await helper.unload();
    await helper.stopServer();
  });

  async function get(query: string): Promise<LocalizedCatalog> {
    const res = await helper.request().get(`/paywire/catalog${query}`).expect(200).expect('content-type', /json/);
    return res.body as LocalizedCatalog;
  }

  const invoiceCreate = (c: Catalog): Catalog['providers'][number]['resources'][string][number] => c.providers[0]!.resources.invoice!.find((o) => o.name === 'create')!;

  it('answers German for de, de-DE and de-AT', async () => {
    for (const lng of ['de', 'de-DE', 'de-AT']) {
      const c = await get(`?lng=${lng}`);
      assert.equal(c.language, 'de', lng);
      const create = invoiceCreate(c);
      assert.equal(create.label, 'Rechnung erstellen');
      assert.equal(create.fields.find((f) => f.name === 'price_amount')!.label, 'Preisbetrag');
      assert.equal(create.fields.find((f) => f.name === 'price_amount')!.help, 'Betrag in der Preiswährung, z. B. "100.00".');
      assert.equal(c.providers.find((p) => p.id === 'payment-orders')!.label, 'CryptoPay-Zahlungsaufträge');
      assert.equal(c.providers.find((p) => p.id === 'payment-orders')!.credentials.find((x) => x.name === 'apiKey')!.label, 'API-Schlüssel (Token)');
    }
  });

  it('answers English without lng, for another or an unknown language, and for a repeated lng', async () => {
    const english = await get('');
    assert.equal(english.language, 'en');
    assert.equal(invoiceCreate(english).label, 'Create invoice');
    assert.equal(invoiceCreate(english).fields.find((f) => f.name === 'price_amount')!.label, 'Price amount');
    assert.deepEqual(english, { language: 'en', ...JSON.parse(JSON.stringify(catalog())) });
    for (const query of ['?lng=en-US', '?lng=fr', '?lng=xx-YY', '?lng=', '?lng=%3Cscript%3E', '?lng=de&lng=fr']) {
      assert.deepEqual(await get(query), english, query);
    }
  });

  it('German and English differ only in their texts', async () => {
    const blank = (c: LocalizedCatalog): Catalog => mapCatalogTexts({ providers: c.providers }, () => '');
    assert.deepEqual(blank(await get('?lng=de')), blank(await get('')));
  });
});
