import { expect, fixture, html } from '@open-wc/testing';
import '../../admin/sm-emergency-flag.js';
import type { SmEmergencyFlag } from '../../admin/sm-emergency-flag.js';

describe('<sm-emergency-flag>', () => {
  it('shows nothing for a conversation without an override', async () => {
    const el = await fixture<SmEmergencyFlag>(html`<sm-emergency-flag .at=${null}></sm-emergency-flag>`);
    expect(el.shadowRoot!.textContent!.trim()).to.equal('');
  });

  it('flags an override in the inbox row, and says when in the conversation (English and French)', async () => {
    const badge = await fixture<SmEmergencyFlag>(html`<sm-emergency-flag .at=${'2026-11-20T15:00:00.000Z'}></sm-emergency-flag>`);
    expect(badge.shadowRoot!.textContent!.trim()).to.equal('Sent despite the emergency notice');
    await expect(badge).to.be.accessible();
    const detailed = await fixture<SmEmergencyFlag>(html`<sm-emergency-flag detailed lang="fr" .at=${'2026-11-20T15:00:00.000Z'}></sm-emergency-flag>`);
    const text = detailed.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim();
    expect(text).to.match(/^Envoyé malgré l’avis d’urgence On a demandé au patient s’il s’agissait d’une urgence; il a choisi d’envoyer quand même \(vendredi 20 novembre à \d{1,2} h \d{2}\)\.$/);
    await expect(detailed).to.be.accessible();
  });
});
