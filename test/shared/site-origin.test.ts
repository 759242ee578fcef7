import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { siteOrigin } from '../../shared/site-origin.js';

describe('website addresses as people paste them', () => {
  it('turns each into the origin a browser sends', () => {
    const cases: Array<[string, string]> = [
      ['https://www.myclinic.ca/', 'https://www.myclinic.ca'],
      ['  WWW.MyClinic.CA  ', 'https://www.myclinic.ca'],
      ['myclinic.ca/contact/?x=1#top', 'https://myclinic.ca'],
      ['HTTP://clinic.example:8080/page', 'http://clinic.example:8080'],
      ['https://myclinic.ca:443', 'https://myclinic.ca'],
      ['cliniqueélan.ca', 'https://xn--cliniquelan-ibb.ca'],
      ['localhost:3001', 'https://localhost:3001'],
    ];
    for (const [typed, origin] of cases) assert.equal(siteOrigin(typed), origin, typed);
  });

  it('refuses what is not a website address', () => {
    for (const typed of ['', '   ', 'not a site', 'ftp://files.example', 'javascript:alert(1)', 'https://user:pw@myclinic.ca', 'https://[::1]', 'https://a:65536', 'mailto:x@y.ca', 'https://exa_mple.ca']) {
      assert.equal(siteOrigin(typed), null, typed);
    }
  });
});
