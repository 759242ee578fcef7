/**
 * The few strings the embed loader shows, kept apart from the main catalog so the loader (on every
 * page of a clinic's site) does not carry the whole catalog. The main catalog includes them.
 */
export const loaderStrings = {
  en: {
    'loader.frameTitle.messages': 'Secure messages with your clinic',
    'loader.frameTitle.questionnaire': 'Questionnaires from your clinic',
    'loader.frameTitle.booking': 'Book an appointment with your clinic',
    'loader.error.unknown_clinic': 'This clinic’s secure messaging could not be found. (Website owner: check the clinic attribute.)',
    'loader.error.origin_not_allowed': 'This clinic’s secure messaging cannot be shown on this website. (Website owner: add {origin} to the allowed websites in the clinic’s settings.)',
    'loader.launcher.messages': 'Messages',
    'loader.launcher.questionnaire': 'Questionnaires',
    'loader.launcher.booking': 'Appointments',
    'loader.unread.one': '{n} unread',
    'loader.unread.other': '{n} unread',
    'loader.close': 'Close',
  },
  fr: {
    'loader.frameTitle.messages': 'Messages sécurisés avec votre clinique',
    'loader.frameTitle.questionnaire': 'Questionnaires de votre clinique',
    'loader.frameTitle.booking': 'Prendre rendez-vous avec votre clinique',
    'loader.error.unknown_clinic': 'La messagerie sécurisée de cette clinique est introuvable. (Responsable du site : vérifiez l’attribut clinic.)',
    'loader.error.origin_not_allowed': 'La messagerie sécurisée de cette clinique ne peut pas s’afficher sur ce site. (Responsable du site : ajoutez {origin} aux sites autorisés dans les paramètres de la clinique.)',
    'loader.launcher.messages': 'Messages',
    'loader.launcher.questionnaire': 'Questionnaires',
    'loader.launcher.booking': 'Rendez-vous',
    'loader.unread.one': '{n} non lu',
    'loader.unread.other': '{n} non lus',
    'loader.close': 'Fermer',
  },
} as const;
