import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { catalog, translate } from '../../shared/i18n-all.js';
import { catalog as patientCatalog, PATIENT_SIDE } from '../../shared/i18n.js';
import { BOOKING_VIEW_SIDE } from '../../shared/i18n-booking-view.js';
import { QUESTIONNAIRE_VIEW_SIDE } from '../../shared/i18n-questionnaire-view.js';
import { ADMIN_SIDE } from '../../shared/i18n-all.js';
import { normalizeLang } from '../../shared/lang.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The project files `file` imports at run time (type-only imports and lazy `import()` left out), transitively. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = fs.readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?'(\.{1,2}\/[^']+)\.js'/gm)) {
    staticImports(path.resolve(path.dirname(file), `${m[1]}.ts`), seen);
  }
  return seen;
}

/** The catalog keys a source file names in quotes (dynamic keys are checked by the type checker). */
function keysNamedIn(file: string, known: Set<string>): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(/'([a-z][\w-]*(?:\.[\w-]+)+)'/g)].map((m) => m[1]!).filter((k) => known.has(k));
}

const keysOf = (parts: readonly { en: object }[]) => new Set(parts.flatMap((p) => Object.keys(p.en)));

describe('string catalog', () => {
  it('has every string in English and French, none blank, with the same placeholders', () => {
    const en = catalog('en');
    const fr = catalog('fr');
    assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      assert.ok(en[key].trim() && fr[key].trim(), key);
      assert.deepEqual(placeholders(fr[key]), placeholders(en[key]), key);
    }
  });

  it('defines each key in one catalog file only (a second definition would silently win)', () => {
    const seen = new Map<string, number>();
    [...PATIENT_SIDE, ...BOOKING_VIEW_SIDE, ...QUESTIONNAIRE_VIEW_SIDE, ...ADMIN_SIDE].forEach((part, i) => {
      assert.deepEqual(Object.keys(part.fr).sort(), Object.keys(part.en).sort(), `catalog file #${i}: English and French keys differ`);
      for (const key of Object.keys(part.en)) {
        assert.equal(seen.get(key), undefined, `${key} is defined in two catalog files`);
        seen.set(key, i);
      }
    });
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    assert.equal(translate('fr', 'frame.signIn.title', { clinic: 'Clinique Nord' }), 'Connexion patient – Clinique Nord');
    assert.equal(translate('en', 'frame.signedIn'), 'Signed in as {name}');
  });

  it('maps language tags to English or French', () => {
    assert.equal(normalizeLang('fr-CA'), 'fr');
    assert.equal(normalizeLang('FR'), 'fr');
    assert.equal(normalizeLang('en-GB'), 'en');
    assert.equal(normalizeLang('de'), 'en');
    assert.equal(normalizeLang(undefined), 'en');
  });
});

describe('catalog split: the frame bundles only patient-side text', () => {
  const all = new Set(Object.keys(catalog('en')));
  const firstLoad = staticImports(path.join(ROOT, 'widget/frame/main.ts'));
  const rel = (f: string) => path.relative(ROOT, f);

  it("keeps staff screens' and the frame views' text out of the frame's first load", () => {
    const reached = [...firstLoad].map(rel);
    assert.ok(reached.includes('shared/i18n.ts') && reached.includes('shared/error-text.ts'), 'the walk follows the frame’s imports');
    for (const file of ['shared/i18n-all.ts', 'shared/i18n-admin.ts', 'shared/i18n-calendar.ts', 'shared/i18n-sms.ts', 'shared/i18n-booking.ts', 'shared/i18n-questionnaires.ts']) {
      assert.ok(!reached.includes(file), `${file} is in the frame's first load`);
    }
    for (const key of Object.keys(patientCatalog('en'))) assert.ok(!/^(admin|mail|password|portal)\./.test(key), `${key} (staff text) is on the patient side`);
  });

  it('has, in English and French, every key the frame and the shared code it loads name', () => {
    const sides: Array<[string, Set<string>]> = [
      ['widget/frame/main.ts', keysOf(PATIENT_SIDE)],
      ['widget/frame/booking/sm-booking-view.ts', keysOf([...PATIENT_SIDE, ...BOOKING_VIEW_SIDE])],
      ['widget/frame/sm-questionnaire-view.ts', keysOf([...PATIENT_SIDE, ...QUESTIONNAIRE_VIEW_SIDE])],
      ['widget/frame/sm-messages-view.ts', keysOf(PATIENT_SIDE)],
    ];
    let checked = 0;
    for (const [entry, side] of sides) {
      // The view's own files; what it shares with the first load is held to the patient side.
      for (const file of staticImports(path.join(ROOT, entry))) {
        const own = firstLoad.has(file) ? keysOf(PATIENT_SIDE) : side;
        for (const key of keysNamedIn(file, all)) {
          assert.ok(own.has(key), `${rel(file)} names ${key}, which its side of the catalog lacks`);
          checked++;
        }
      }
    }
    assert.ok(checked > 100, `only ${checked} keys found: the scan is broken`);
  });
});
