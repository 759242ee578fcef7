/** @summary Staff accounts (admins only): invite, send an invitation again or withdraw it, change role, disable. */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { StaffMember, StaffPatch } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { Lang } from '../../shared/lang.js';
import { STAFF_ROLES, type StaffRole } from '../../shared/roles.js';
import { AdminPage } from '../admin-page.js';
import '../sm-confirm-password.js';

export class SmStaffPage extends AdminPage {
  @state() private staff: StaffMember[] = [];
  /** A colleague whose second factors are about to be reset, once the admin confirms their password. */
  @state() private resetting: StaffMember | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      this.staff = await this.api.staff();
    });
  }

  protected describeError(err: unknown): string {
    // not_invited and last_admin: worded by every page (AdminPage); a taken e-mail is a staff account's here.
    return err instanceof ApiError && err.code === 'email_taken' ? this.t('admin.staff.error.emailTaken') : super.describeError(err);
  }

  private replace(saved: StaffMember) {
    // Merged: an update's answer leaves out the list-only fields (two-factor).
    this.staff = this.staff.map((s) => (s.id === saved.id ? { ...s, ...saved } : s));
  }

  private change(member: StaffMember, patch: StaffPatch) {
    return this.run(async () => this.replace(await this.api.updateStaff(member.id, patch)), this.t('common.saved'));
  }

  private resend(member: StaffMember) {
    return this.run(async () => this.replace(await this.api.resendInvitation(member.id, this.lang)), this.t('admin.staff.resent', { name: member.name }));
  }

  private revoke(member: StaffMember) {
    return this.run(async () => {
      await this.api.revokeInvitation(member.id);
      this.staff = this.staff.filter((s) => s.id !== member.id);
    }, this.t('admin.staff.revoked', { name: member.name }));
  }

  private add(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const name = String(f.get('name')).trim();
    return this.run(async () => {
      const created = await this.api.addStaff({ name, email: String(f.get('email')).trim(), role: f.get('role') as StaffRole, lang: f.get('lang') as Lang });
      this.staff = [...this.staff, created];
      form.reset();
    }, this.t('admin.staff.invited', { name }));
  }

  /** Asks for the admin's own password (which also confirms the intent), then resets the colleague's factors. */
  private resetTwoFactor(member: StaffMember) {
    this.error = null;
    this.resetting = member;
  }

  private confirmedReset() {
    const member = this.resetting;
    this.resetting = null;
    if (!member) return;
    void this.run(async () => {
      await this.api.resetTwoFactor(member.id);
      this.staff = this.staff.map((s) => (s.id === member.id ? { ...s, twoFactor: false } : s));
    }, this.t('common.saved'));
  }

  private roleSelect(member: StaffMember) {
    return html`<select aria-label="${this.t('admin.staff.role')} – ${member.name}" .value=${member.role} @change=${(e: Event) => this.change(member, { role: (e.target as HTMLSelectElement).value as StaffRole })}>
      ${STAFF_ROLES.map((r) => html`<option value=${r} ?selected=${r === member.role}>${this.t(`admin.role.${r}`)}</option>`)}
    </select>`;
  }

  private statusCell(s: StaffMember) {
    if (s.invitation) {
      const date = new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(s.invitation.expiresAt));
      return html`${s.invitation.expired ? this.t('admin.staff.invitationExpired') : this.t('admin.staff.invitationSent', { date })}
        <button class="secondary" ?disabled=${this.busy} @click=${() => this.resend(s)}>${this.t('admin.staff.resend', { name: s.name })}</button>
        <button class="secondary" ?disabled=${this.busy} @click=${() => this.revoke(s)}>${this.t('admin.staff.revoke', { name: s.name })}</button>`;
    }
    return html`${this.t(s.disabled ? 'admin.staff.disabled' : 'admin.staff.active')}
      <button class="secondary" ?disabled=${this.busy || s.id === this.me.staff.id} @click=${() => this.change(s, { disabled: !s.disabled })}>
        ${this.t(s.disabled ? 'admin.staff.enable' : 'admin.staff.disable', { name: s.name })}
      </button>`;
  }

  render() {
    return html`<h1>${this.t('admin.staff.title')}</h1>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
      ${this.resetting
        ? html`<sm-confirm-password .api=${this.api} .me=${this.me} .lang=${this.lang} .action=${this.t('admin.staff.resetTwoFactor', { name: this.resetting.name })}
            .detail=${this.t('admin.staff.resetTwoFactorConfirm', { name: this.resetting.name })}
            @sm-confirmed=${this.confirmedReset} @sm-cancel=${() => (this.resetting = null)}></sm-confirm-password>`
        : nothing}
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
              <td>${this.statusCell(s)}</td>
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
        <p id="invite-intro">${this.t('admin.staff.inviteIntro')}</p>
        <form class="grid" @submit=${this.add} aria-describedby="invite-intro">
          <label>${this.t('admin.staff.name')} <input name="name" required maxlength="120" /></label>
          <label>${this.t('admin.staff.email')} <input name="email" type="email" required /></label>
          <label>${this.t('admin.staff.role')}
            <select name="role">${STAFF_ROLES.map((r) => html`<option value=${r} ?selected=${r === 'staff'}>${this.t(`admin.role.${r}`)}</option>`)}</select>
          </label>
          <label>${this.t('admin.staff.inviteLang')}
            <select name="lang">
              <option value="en" ?selected=${this.lang === 'en'}>English</option>
              <option value="fr" lang="fr" ?selected=${this.lang === 'fr'}>Français</option>
            </select>
          </label>
          <button ?disabled=${this.busy}>${this.t('admin.staff.invite')}</button>
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
