/**
 * The editor's catalog (GET paywire/catalog) in the editor's language. lib/ stays English and
 * framework-free; the translations live in nodes/catalog-locales/<lang>.json, keyed by the
 * English text (a text used by several operations or providers is translated once), and are
 * laid over a copy of the English catalog. A text without a translation stays English.
 *
 * Node-RED does not load nodes/catalog-locales itself (it only reads locales/ and icons/ beside a
 * node file); scripts/copy-assets.js copies it to dist/nodes/ beside the other editor assets.
 * Field labels there may carry soft hyphens (\u00ad) where a long compound must wrap in the
 * form's label column; test/nodes/catalog-i18n.test.ts keeps the file complete and current.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../../lib/providers';

/** Languages with a translation of the catalog, by primary language subtag. */
export const CATALOG_LANGUAGES = ['de'] as const;
export type CatalogLanguage = 'en' | (typeof CATALOG_LANGUAGES)[number];

/** The catalog as served: which language its texts are in, so the editor knows how to use them. */
export type LocalizedCatalog = Catalog & { language: CatalogLanguage };

/** English text → translated text. */
export type CatalogTranslations = Readonly<Record<string, string>>;

export const CATALOG_LOCALES_DIR = path.join(__dirname, '..', 'catalog-locales');

/**
 * The catalog language for a requested one: "de", "de-DE", "de-AT", "de_CH" → "de"; anything
 * else (another language, a malformed value, a repeated ?lng, none) → "en".
 */
export function catalogLanguage(requested: unknown): CatalogLanguage {
  if (typeof requested !== 'string' || requested.length > 35) return 'en';
  const match = /^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$/.exec(requested.trim());
  const primary = match?.[1]?.toLowerCase();
  return (CATALOG_LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as CatalogLanguage) : 'en';
}

export function readCatalogTranslations(language: Exclude<CatalogLanguage, 'en'>, dir = CATALOG_LOCALES_DIR): CatalogTranslations {
  const parsed: unknown = JSON.parse(fs.readFileSync(path.join(dir, `${language}.json`), 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${language}.json is not an object of texts`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [en, text] of Object.entries(parsed)) {
    if (typeof text === 'string') out[en] = text;
  }
  return out;
}

/**
 * A copy of the catalog with every text the editor shows passed through `text`: provider and
 * credential labels, operation labels and descriptions, field labels and help. Names, kinds,
 * options (enum values), URLs and numbers are not texts and are copied unchanged.
 */
export function mapCatalogTexts(catalog: Catalog, text: (english: string) => string): Catalog {
  return {
    providers: catalog.providers.map((p) => ({
      ...p,
      label: text(p.label),
      credentials: p.credentials.map((c) => ({ ...c, label: text(c.label) })),
      resources: Object.fromEntries(
        Object.entries(p.resources).map(([resource, ops]) => [
          resource,
          ops.map((op) => ({
            ...op,
            label: text(op.label),
            description: text(op.description),
            fields: op.fields.map((f) => ({ ...f, label: text(f.label), ...(f.help !== undefined ? { help: text(f.help) } : {}) })),
          })),
        ]),
      ),
    })),
  };
}

/** Every text of the catalog that the editor shows, once each, in catalog order. */
export function catalogTexts(catalog: Catalog): string[] {
  const seen = new Set<string>();
  mapCatalogTexts(catalog, (english) => {
    seen.add(english);
    return english;
  });
  return [...seen];
}

export function translateCatalog(catalog: Catalog, translations: CatalogTranslations): Catalog {
  const own = (english: string): string | undefined => (Object.prototype.hasOwnProperty.call(translations, english) ? translations[english] : undefined);
  return mapCatalogTexts(catalog, (english) => own(english) || english);
}

/**
 * Serves the catalog per language, each built once: the English one from `build`, the others by
 * overlaying their translations on it. The cache holds one entry per supported language, however
 * many different ?lng values are requested.
 */
export function catalogCache(
  build: () => Catalog,
  options: {
    dir?: string;
    onError?: (language: CatalogLanguage, err: unknown) => void;
    /** Changes when the providers do (lib/providers registryRevision): the cache starts over. */
    revision?: () => number;
  } = {},
): (requested: unknown) => LocalizedCatalog {
  const cache = new Map<CatalogLanguage, LocalizedCatalog>();
  let builtAt: number | undefined;
  const english = (): LocalizedCatalog => {
    let served = cache.get('en');
    if (!served) cache.set('en', (served = { language: 'en', ...build() }));
    return served;
  };
  return (requested) => {
    const revision = options.revision?.();
    if (revision !== builtAt) {
      cache.clear();
      builtAt = revision;
    }
    const language = catalogLanguage(requested);
    if (language === 'en') return english();
    let served = cache.get(language);
    if (!served) {
      try {
        served = { language, ...translateCatalog(english(), readCatalogTranslations(language, options.dir)) };
      } catch (err) {
        // A missing or broken translation file must not break the forms: they get English.
        options.onError?.(language, err);
        served = english();
      }
      cache.set(language, served);
    }
    return served;
  };
}
