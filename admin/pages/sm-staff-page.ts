/** @summary Staff accounts (admins only): add, change role, disable. */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { StaffMember, StaffPatch } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { STAFF_ROLES, MIN_PASSWORD_LENGTH, type StaffRole } from '../../shared/roles.js';
import { AdminPage } from '../admin-page.js';

export class SmStaffPage extends AdminPage {
  @state() private staff: StaffMember[] = [];

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      this.staff = await this.api.staff();
    });
  }

  private change(member: StaffMember, patch: StaffPatch) {
    return this.run(async () => {
      const saved = await this.api.updateStaff(member.id, patch);
      this.staff = this.staff.map((s) => (s.id === saved.id ? { ...s, ...saved } : s));
    }, this.t('common.saved'));
  }

  private add(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    return this.run(async () => {
      const created = await this.api.addStaff({ name: String(f.get('name')).trim(), email: String(f.get('email')).trim(), role: f.get('role') as StaffRole, password: String(f.get('password')) });
      this.staff = [...this.staff, created];
      form.reset();
    }, this.t('common.saved'));
  }

  private resetTwoFactor(member: StaffMember) {
    if (!confirm(this.t('admin.staff.resetTwoFactorConfirm', { name: member.name }))) return;
    return this.run(async () => {
      await this.api.resetTwoFactor(member.id);
      this.staff = this.staff.map((s) => (s.id === member.id ? { ...s, twoFactor: false } : s));
    }, this.t('common.saved'));
  }

  private roleSelect(member: StaffMember) {
    return html`<select aria-label="${this.t('admin.staff.role')} – ${member.name}" .value=${member.role} @change=${(e: Event) => this.change(member, { role: (e.target as HTMLSelectElement).value as StaffRole })}>
      ${STAFF_ROLES.map((r) => html`<option value=${r} ?selected=${r === member.role}>${this.t(`admin.role.${r}`)}</option>`)}
    </select>`;
  }

  render() {
    return html`<h1>${this.t('admin.staff.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
      <table>
        <thead>
          <tr>
            <th scope="col">${this.t('admin.staff.name')}</th>
            <th scope="col">${this.t('admin.staff.email')}</th>
            <th scope="col">${this.t('admin.staff.role')}</th>
            <th scope="col">${this.t('admin.staff.status')}</th>
            <th scope="col">${this.t('admin.staff.twoFactor')}</th>
          </tr>
        </thead>
        <tbody>
          ${this.staff.map(
            (s) => html`<tr>
              <td>${s.name}</td>
              <td>${s.email}</td>
              <td>${this.roleSelect(s)}</td>
              <td>
                ${this.t(s.disabled ? 'admin.staff.disabled' : 'admin.staff.active')}
                <button class="secondary" ?disabled=${this.busy || s.id === this.me.staff.id} @click=${() => this.change(s, { disabled: !s.disabled })}>
                  ${this.t(s.disabled ? 'admin.staff.enable' : 'admin.staff.disable', { name: s.name })}
                </button>
              </td>
              <td>
                ${this.t(s.twoFactor ? 'admin.staff.twoFactorOn' : 'admin.staff.twoFactorOff')}
                ${s.twoFactor
                  ? html`<button class="secondary" ?disabled=${this.busy} @click=${() => this.resetTwoFactor(s)}>${this.t('admin.staff.resetTwoFactor', { name: s.name })}</button>`
                  : nothing}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <section class="panel" aria-labelledby="add-title">
        <h2 id="add-title">${this.t('admin.staff.add')}</h2>
        <form class="grid" @submit=${this.add}>
          <label>${this.t('admin.staff.name')} <input name="name" required maxlength="120" /></label>
          <label>${this.t('admin.staff.email')} <input name="email" type="email" required /></label>
          <label>${this.t('admin.staff.role')}
            <select name="role">${STAFF_ROLES.map((r) => html`<option value=${r} ?selected=${r === 'staff'}>${this.t(`admin.role.${r}`)}</option>`)}</select>
          </label>
          <label>${this.t('admin.staff.password', { min: MIN_PASSWORD_LENGTH })} <input name="password" type="password" autocomplete="new-password" required minlength=${MIN_PASSWORD_LENGTH} /></label>
          <button ?disabled=${this.busy}>${this.t('common.add')}</button>
        </form>
      </section>`;
  }
}

defineOnce('sm-staff-page', SmStaffPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-staff-page': SmStaffPage;
  }
}
