/**
 * The problems the messaging rules' checks find (worded by shared/error-text.ts, so on the patient
 * side, shared/i18n.ts), English and French; the rules page's own strings are in i18n-admin.ts.
 */
const en = {
  'msg.expect.noHours': 'The clinic has not set its messaging hours.',

  'error.invalid_time_zone': 'Choose a time zone from the list.',
  'error.time_required': 'Enter a time.',
  'error.range_end_before_start': 'Ends at {end}, before it starts at {start}. Choose a later end time.',
  'error.ranges_overlap': 'Overlaps an earlier range of the same day.',
  'error.date_required': 'Enter a date.',
  'error.duplicate_closure': 'This date is already listed.',
  'error.categories_required': 'Add at least one category.',
  'error.invalid_category_id': 'Use 1 to 40 lowercase letters, digits or hyphens.',
  'error.duplicate_category': 'Another category already uses the code “{id}”.',
  'error.text_required': 'This field cannot be empty.',
  'error.number_out_of_range': 'Enter a whole number from {min} to {max}.',
  'error.emergency_notice_required': 'The emergency notice cannot be empty: patients must be told where to go in an emergency.',
};

const fr: Record<keyof typeof en, string> = {
  'msg.expect.noHours': 'La clinique n’a pas fixé ses heures de messagerie.',

  'error.invalid_time_zone': 'Choisissez un fuseau horaire dans la liste.',
  'error.time_required': 'Entrez une heure.',
  'error.range_end_before_start': 'Finit à {end}, avant son début à {start}. Choisissez une heure de fin plus tardive.',
  'error.ranges_overlap': 'Chevauche une plage précédente de la même journée.',
  'error.date_required': 'Entrez une date.',
  'error.duplicate_closure': 'Cette date figure déjà dans la liste.',
  'error.categories_required': 'Ajoutez au moins une catégorie.',
  'error.invalid_category_id': 'Utilisez de 1 à 40 lettres minuscules, chiffres ou traits d’union.',
  'error.duplicate_category': 'Une autre catégorie utilise déjà le code « {id} ».',
  'error.text_required': 'Ce champ ne peut pas être vide.',
  'error.number_out_of_range': 'Entrez un nombre entier de {min} à {max}.',
  'error.emergency_notice_required': 'L’avis d’urgence ne peut pas être vide : les patients doivent savoir où aller en cas d’urgence.',
};

/** Both catalogs, spread into the main one. */
export const messagingSettingsStrings = { en, fr };
