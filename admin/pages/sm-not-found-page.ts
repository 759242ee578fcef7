/** @summary Shown for an admin address that does not exist. */
import { html } from 'lit';
import { defineOnce } from '../../shared/define-once.js';
import { AdminPage } from '../admin-page.js';

export class SmNotFoundPage extends AdminPage {
  render() {
    return html`<h1>${this.t('admin.notFound')}</h1>
      <p><a href="/admin/patients">${this.t('admin.nav.patients')}</a></p>`;
  }
}

defineOnce('sm-not-found-page', SmNotFoundPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-not-found-page': SmNotFoundPage;
  }
}
