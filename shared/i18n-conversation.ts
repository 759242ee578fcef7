/**
 * The patient-side strings of a conversation's paging (earlier messages), English and French, on the
 * patient side (shared/i18n.ts); the staff conversation page's own strings are in i18n-admin.ts.
 * The French object is typed against the English keys.
 */
const en = {
  'conversation.earlier': 'Earlier messages',
  'conversation.earlierLoaded.one': '{count} earlier message loaded',
  'conversation.earlierLoaded.other': '{count} earlier messages loaded',
  'conversation.start': 'Start of the conversation',
  'error.invalid_cursor': 'The list could not go on from where it was. Open it again from the start.',
  'error.unknown_placeholder': 'The template uses {{name}}, which is not filled in. Use {patient.firstName}, {patient.lastName}, {clinic.name} or {staff.name}.',
  'error.invalid_patient_page': 'Enter the full address of the page where the messaging widget is, starting with https:// (for example https://www.myclinic.ca/messages).',
};

const fr: Record<keyof typeof en, string> = {
  'conversation.earlier': 'Messages précédents',
  'conversation.earlierLoaded.one': '{count} message précédent chargé',
  'conversation.earlierLoaded.other': '{count} messages précédents chargés',
  'conversation.start': 'Début de la conversation',
  'error.invalid_cursor': 'La liste n’a pas pu reprendre là où elle était. Rouvrez-la depuis le début.',
  'error.unknown_placeholder': 'Le modèle utilise {{name}}, qui n’est pas rempli. Utilisez {patient.firstName}, {patient.lastName}, {clinic.name} ou {staff.name}.',
  'error.invalid_patient_page': 'Entrez l’adresse complète de la page où se trouve le widget de messagerie, commençant par https:// (par exemple https://www.maclinique.ca/messages).',
};

/** The conversation page's strings by language. */
export const conversationStrings = { en, fr };
