/**
 * The editor's catalog (GET paywire/catalog) in the editor's language. lib/ stays English and
 * framework-free; each provider carries its own translations (ProviderDefinition.texts, from
 * lib/providers/<p>/texts.<lang>.ts), keyed by the English text, and they are laid over that
 * provider's part of a copy of the English catalog. A text without a translation stays English.
 *
 * Field labels there may carry soft hyphens (\u00ad) where a long compound must wrap in the
 * form's label column; test/nodes/catalog-i18n.test.ts keeps every provider's texts complete
 * and current.
 */
import { ownValue } from '../../lib/lookup';
import type { Catalog } from '../../lib/providers';
import type { CatalogTexts } from '../../lib/providers/types';

/** Languages with a translation of the catalog, by primary language subtag. */
export const CATALOG_LANGUAGES = ['de'] as const;
export type CatalogLanguage = 'en' | (typeof CATALOG_LANGUAGES)[number];

/** The catalog as served: which language its texts are in, so the editor knows how to use them. */
export type LocalizedCatalog = Catalog & { language: CatalogLanguage };

/** English text → translated text, for one provider. */
export type CatalogTranslations = CatalogTexts;

/** A provider's translations into a language, by provider id; undefined = none (English stays). */
export type TranslationsOf = (providerId: string) => CatalogTranslations | undefined;

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

/**
 * A copy of the catalog with every text the editor shows passed through `text`, with the id of
 * the provider it belongs to: provider and credential labels and hints, operation labels, node
 * labels and descriptions, field labels and help. Names, kinds, options (enum values), URLs and
 * numbers are not texts and are copied unchanged.
 */
export function mapCatalogTexts(catalog: Catalog, text: (english: string, providerId: string) => string): Catalog {
  return {
    providers: catalog.providers.map((p) => ({
      ...p,
      label: text(p.label, p.id),
      credentials: p.credentials.map((c) => ({ ...c, label: text(c.label, p.id), ...(c.hint !== undefined ? { hint: text(c.hint, p.id) } : {}) })),
      resources: Object.fromEntries(
        Object.entries(p.resources).map(([resource, ops]) => [
          resource,
          ops.map((op) => ({
            ...op,
            label: text(op.label, p.id),
            ...(op.nodeLabel !== undefined ? { nodeLabel: text(op.nodeLabel, p.id) } : {}),
            description: text(op.description, p.id),
            fields: op.fields.map((f) => ({ ...f, label: text(f.label, p.id), ...(f.help !== undefined ? { help: text(f.help, p.id) } : {}) })),
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

/** The catalog with each provider's part in that provider's own translations. */
export function translateCatalog(catalog: Catalog, translationsOf: TranslationsOf): Catalog {
  const own = (english: string, providerId: string): string | undefined => {
    const translations = translationsOf(providerId);
    return translations && ownValue(translations, english);
  };
  return mapCatalogTexts(catalog, (english, providerId) => own(english, providerId) || english);
}

/**
 * Serves the catalog per language, each built once: the English one from `build`, the others by
 * overlaying the providers' translations on it. The cache holds one entry per supported
 * language, however many different ?lng values are requested.
 */
export function catalogCache(
  build: () => Catalog,
  options: {
    /** The providers' translations into a language (the registry's ProviderDefinition.texts). */
    translations: (language: Exclude<CatalogLanguage, 'en'>) => TranslationsOf;
    onError?: (language: CatalogLanguage, err: unknown) => void;
    /** Changes when the providers do (lib/providers registryRevision): the cache starts over. */
    revision?: () => number;
  },
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
        served = { language, ...translateCatalog(english(), options.translations(language)) };
      } catch (err) {
        // Translations that cannot be read must not break the forms: they get English.
        options.onError?.(language, err);
        served = english();
      }
      cache.set(language, served);
    }
    return served;
  };
}
