import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog, translate } from '../../shared/i18n-all.js';
import { normalizeLang } from '../../shared/lang.js';

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
