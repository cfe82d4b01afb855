/**
 * Tollgate's German catalog texts, as a provider folder carries them: only some, so the rest
 * of its part of the catalog stays English.
 */
import type { CatalogTexts } from '../../../lib/providers/types';

export const germanTexts: CatalogTexts = {
  'Tollgate (test only)': 'Tollgate (nur zum Testen)',
  'Create bill': 'Rechnung stellen',
  'create bill': 'Rechnung stellen',
};
