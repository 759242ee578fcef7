/**
 * The strings of text messages (the texts themselves, the admin's SMS fields and channels), English
 * and French, spread into the main catalog (shared/i18n.ts). Texts carry the clinic, a date and time
 * for reminders, and a link: nothing about health.
 */
const en = {
  'sms.reminder': '{clinic}: reminder of your appointment on {date} at {time}. To see, cancel or move it, sign in: {link}',
  'sms.questionnaire': '{clinic}: your clinic has a form for you to fill in. Sign in to the secure service: {link}',
  'admin.outgoing.channel': 'Channel',
  'admin.outgoing.channel.email': 'E-mail',
  'admin.outgoing.channel.sms': 'Text message',
  'admin.outgoing.smsAvailable': 'Text messages are sent through {provider}. They go through this same queue, and never contain health information.',
  'admin.outgoing.smsUnavailable': 'Text messages are not set up on this server, so nothing can be sent by text. The server administrator sets them up (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM).',
  'admin.outgoing.kind.sms.booking-reminder': 'Appointment reminder (text)',
  'admin.outgoing.kind.sms.questionnaire-assigned': 'Form to fill in (text)',
  'admin.outgoing.retriedSms': 'The text message for {recipient} is back in the queue and will be sent shortly.',
  'admin.patients.mobile': 'Mobile number for text messages (optional, e.g. +15145550123)',
  'admin.patients.mobileHint': 'International format: +, country code, then the number, with no spaces.',
  'admin.patients.smsConsent': 'The patient agrees to receive text messages (reminders and links only)',
  'admin.patients.smsConsentedOn': 'Agreed to text messages on {date}',
  'admin.patients.mobileInvalid': 'Enter the mobile number in international format, e.g. +15145550123.',
  'admin.booking.reminderChannel': 'Send reminders by',
  'admin.channel.email': 'E-mail',
  'admin.channel.sms': 'Text message',
  'admin.channel.both': 'E-mail and text message',
  'admin.questionnaires.sendBy': 'Send by',
  'admin.questionnaires.channel.email': 'E-mail link',
  'admin.questionnaires.channel.sms': 'Text message link',
  'admin.questionnaires.channel.message': 'Message in a secure conversation',
  'admin.questionnaires.assignedMessage': 'Sent to {name} as a message in a secure conversation; they get the usual e-mail notice, with nothing about the questionnaire.',
  'admin.questionnaires.assignedSms': 'Assigned to {name}. They get a text message with a link, and nothing about the questionnaire.',
};

const fr: Record<keyof typeof en, string> = {
  'sms.reminder': '{clinic} : rappel de votre rendez-vous le {date} à {time}. Pour le consulter, l’annuler ou le déplacer, connectez-vous : {link}',
  'sms.questionnaire': '{clinic} : votre clinique a un formulaire à vous faire remplir. Connectez-vous au service sécurisé : {link}',
  'admin.outgoing.channel': 'Canal',
  'admin.outgoing.channel.email': 'Courriel',
  'admin.outgoing.channel.sms': 'Texto',
  'admin.outgoing.smsAvailable': 'Les textos sont envoyés par {provider}. Ils passent par cette même file et ne contiennent jamais de renseignements sur la santé.',
  'admin.outgoing.smsUnavailable': 'Les textos ne sont pas configurés sur ce serveur : rien ne peut être envoyé par texto. L’administrateur du serveur les configure (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM).',
  'admin.outgoing.kind.sms.booking-reminder': 'Rappel de rendez-vous (texto)',
  'admin.outgoing.kind.sms.questionnaire-assigned': 'Formulaire à remplir (texto)',
  'admin.outgoing.retriedSms': 'Le texto pour {recipient} est de retour dans la file et sera envoyé sous peu.',
  'admin.patients.mobile': 'Numéro de cellulaire pour les textos (facultatif, p. ex. +15145550123)',
  'admin.patients.mobileHint': 'Format international : +, indicatif du pays, puis le numéro, sans espaces.',
  'admin.patients.smsConsent': 'Le patient accepte de recevoir des textos (rappels et liens seulement)',
  'admin.patients.smsConsentedOn': 'A accepté les textos le {date}',
  'admin.patients.mobileInvalid': 'Entrez le numéro de cellulaire au format international, p. ex. +15145550123.',
  'admin.booking.reminderChannel': 'Envoyer les rappels par',
  'admin.channel.email': 'Courriel',
  'admin.channel.sms': 'Texto',
  'admin.channel.both': 'Courriel et texto',
  'admin.questionnaires.sendBy': 'Envoyer par',
  'admin.questionnaires.channel.email': 'Lien par courriel',
  'admin.questionnaires.channel.sms': 'Lien par texto',
  'admin.questionnaires.channel.message': 'Message dans une conversation sécurisée',
  'admin.questionnaires.assignedMessage': 'Envoyé à {name} dans une conversation sécurisée; la personne reçoit l’avis habituel par courriel, sans rien sur le questionnaire.',
  'admin.questionnaires.assignedSms': 'Assigné à {name}. La personne reçoit un texto avec un lien, sans rien sur le questionnaire.',
};

/** Text messages' strings, by language. */
export const smsStrings = { en, fr };
