/**
 * The few strings the embed loader shows, kept apart from the main catalog so the loader (on every
 * page of a clinic's site) does not carry the whole catalog. The main catalog includes them.
 */
export const loaderStrings = {
  en: {
    'loader.frameTitle.messages': 'Secure messages with your clinic',
    'loader.frameTitle.questionnaire': 'Questionnaires from your clinic',
    'loader.frameTitle.booking': 'Book an appointment with your clinic',
  },
  fr: {
    'loader.frameTitle.messages': 'Messages sécurisés avec votre clinique',
    'loader.frameTitle.questionnaire': 'Questionnaires de votre clinique',
    'loader.frameTitle.booking': 'Prendre rendez-vous avec votre clinique',
  },
} as const;
