/** Clinics: the tenants. Every other record hangs off one. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ClinicRow, Database } from '../db/schema.js';
import type { Clinic, ClinicSettings, PublicClinic } from '../../shared/api.js';
import { siteOrigin } from '../../shared/site-origin.js';
import { AppError, notFound } from './errors.js';
import type { ClinicCipher, Keyring } from './crypto.js';

/** Shown to every patient before their first message; the clinic can reword it in settings. */
export const DEFAULT_CONSENT = {
  en: 'Secure messaging is for non-urgent questions to your clinic. It is not for emergencies: call 911 or go to the nearest emergency department. Messages are read during clinic hours and become part of your health record. By continuing you consent to communicating with the clinic electronically; you can withdraw at any time by telling the clinic.',
  fr: "La messagerie sécurisée sert aux questions non urgentes adressées à votre clinique. Elle ne doit pas être utilisée en cas d'urgence : composez le 911 ou rendez-vous à l'urgence la plus proche. Les messages sont lus pendant les heures d'ouverture et font partie de votre dossier médical. En continuant, vous consentez à communiquer électroniquement avec la clinique; vous pouvez retirer ce consentement en tout temps en avisant la clinique.",
};

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** What a new clinic needs. */
export interface NewClinic {
  slug: string;
  name: string;
  allowedOrigins?: string[];
  brandColor?: string;
}

/** Creates a clinic with its own wrapped data key. */
export async function createClinic(db: Kysely<Database>, keyring: Keyring, input: NewClinic): Promise<ClinicRow> {
  if (!SLUG.test(input.slug)) throw new AppError(400, 'invalid_slug', 'A clinic slug is 1 to 64 lower-case letters, digits and inner hyphens');
  if (!input.name.trim()) throw new AppError(400, 'invalid_name', 'A clinic needs a name');
  const existing = await db.selectFrom('clinics').select('id').where('slug', '=', input.slug).executeTakeFirst();
  if (existing) throw new AppError(409, 'slug_taken', `A clinic with the slug "${input.slug}" already exists`);
  const id = randomUUID();
  const row: ClinicRow = {
    id,
    slug: input.slug,
    name: input.name.trim(),
    wrapped_key: keyring.newWrappedKey(id),
    allowed_origins: JSON.stringify(allowedSites(input.allowedOrigins ?? [])),
    brand_color: input.brandColor ?? '#00587c',
    consent_text_en: DEFAULT_CONSENT.en,
    consent_text_fr: DEFAULT_CONSENT.fr,
    require_two_factor: 0,
    created_at: new Date().toISOString(),
    patient_page_url: null,
  };
  await db.insertInto('clinics').values(row).execute();
  return row;
}

/** The clinic by id, or 404. */
export async function getClinic(db: Kysely<Database>, id: string): Promise<ClinicRow> {
  const row = await db.selectFrom('clinics').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Clinic');
  return row;
}

/** The clinic by its public slug, or 404. */
export async function getClinicBySlug(db: Kysely<Database>, slug: string): Promise<ClinicRow> {
  const row = await db.selectFrom('clinics').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row) throw notFound('Clinic');
  return row;
}

/**
 * The allowed sites as origins, however they were typed (see shared/site-origin.ts), without
 * duplicates; the first that is not a web address is a 400 naming it (and its line).
 */
export function allowedSites(sites: string[]): string[] {
  const origins = sites.map((site, index) => {
    const origin = siteOrigin(site);
    if (!origin) throw new AppError(400, 'invalid_origin', `"${site.slice(0, 80)}" is not a website address like https://www.myclinic.ca`, { params: { value: site.slice(0, 200), line: index + 1 } });
    return origin;
  });
  return [...new Set(origins)];
}

/** Replaces the clinic's editable settings. */
export async function updateClinicSettings(db: Kysely<Database>, clinicId: string, s: ClinicSettings): Promise<ClinicRow> {
  await db
    .updateTable('clinics')
    .set({
      name: s.name.trim(),
      allowed_origins: JSON.stringify(allowedSites(s.allowedOrigins)),
      brand_color: s.brandColor,
      consent_text_en: s.consentText.en.trim(),
      consent_text_fr: s.consentText.fr.trim(),
      ...(s.requireTwoFactor !== undefined ? { require_two_factor: s.requireTwoFactor ? 1 : 0 } : {}),
      ...(s.patientPageUrl !== undefined ? { patient_page_url: patientPageUrl(s.patientPageUrl) } : {}),
    })
    .where('id', '=', clinicId)
    .execute();
  return getClinic(db, clinicId);
}

/** The origins allowed to embed this clinic's widgets. */
export function allowedOrigins(row: ClinicRow): string[] {
  return JSON.parse(row.allowed_origins) as string[];
}

/** The clinic as staff see it in settings. */
export function toClinic(row: ClinicRow): Clinic {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    allowedOrigins: allowedOrigins(row),
    brandColor: row.brand_color,
    consentText: { en: row.consent_text_en, fr: row.consent_text_fr },
    requireTwoFactor: Number(row.require_two_factor) === 1,
    patientPageUrl: row.patient_page_url,
  };
}

/** What anyone may know about the clinic. */
export function toPublicClinic(row: ClinicRow): PublicClinic {
  return { slug: row.slug, name: row.name, brandColor: row.brand_color, consentText: { en: row.consent_text_en, fr: row.consent_text_fr } };
}

/** The clinic's cipher for health information. */
export function clinicCipher(keyring: Keyring, row: ClinicRow): ClinicCipher {
  return keyring.forClinic(row.id, row.wrapped_key);
}

/**
 * The "patient page" as typed (www.myclinic.ca/messages) turned into the https address saved: scheme
 * added, host lower-cased, fragment dropped. Blank clears it; anything else that is not an https page
 * (http only for a local development site) is a 400 `invalid_patient_page`.
 */
export function patientPageUrl(input: string | null): string | null {
  const text = (input ?? '').trim();
  if (!text) return null;
  const refuse = () => new AppError(400, 'invalid_patient_page', `"${text.slice(0, 80)}" is not a web page address like https://www.myclinic.ca/messages`, { params: { value: text.slice(0, 200) } });
  if (/\s/.test(text)) throw refuse();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw refuse();
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && local)) || url.username || url.password || !siteOrigin(url.origin)) throw refuse();
  url.hash = '';
  return url.href;
}

/**
 * Where a patient reads their messages, the link in their e-mail notices: the clinic's "patient
 * page" (where its widget lives), else our patient portal, which always has it. A clinic site's
 * first allowed origin is not used: its home page need not carry the widget.
 */
export function patientLink(clinic: ClinicRow, publicOrigin: string): string {
  return clinic.patient_page_url ?? `${publicOrigin}/p/${clinic.slug}`;
}
