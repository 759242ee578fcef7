/**
 * The strings of self-booking (patient frame, admin page, e-mails), English and French, spread into
 * the main catalog (shared/i18n.ts). The French object is typed against the English keys.
 */
const en = {
  'mail.booking.confirmed.subject': 'Your appointment at {clinic} is booked',
  'mail.booking.confirmed.body': 'Your appointment at {clinic} is booked for {date} at {time}.\n\nThe attached calendar file adds it to your calendar. To see, cancel or move it, sign in to the clinic\'s website:\n{link}\n\n{clinic}',
  'mail.booking.moved.subject': 'Your appointment at {clinic} has moved',
  'mail.booking.moved.body': 'Your appointment at {clinic} is now on {date} at {time}.\n\nThe attached calendar file updates your calendar. To see it, sign in to the clinic\'s website:\n{link}\n\n{clinic}',
  'mail.booking.cancelled.subject': 'Your appointment at {clinic} is cancelled',
  'mail.booking.cancelled.body': 'Your appointment at {clinic} on {date} at {time} is cancelled.\n\nThe attached calendar file removes it from your calendar. To book another time, sign in to the clinic\'s website:\n{link}\n\n{clinic}',
  'mail.booking.reminder.subject': 'Reminder: your appointment at {clinic}',
  'mail.booking.reminder.body': 'This is a reminder of your appointment at {clinic} on {date} at {time}.\n\nTo see, cancel or move it, sign in to the clinic\'s website:\n{link}\n\n{clinic}',
  'mail.booking.icsSummary': 'Appointment at {clinic}',
};

const fr: Record<keyof typeof en, string> = {
  'mail.booking.confirmed.subject': 'Votre rendez-vous à {clinic} est confirmé',
  'mail.booking.confirmed.body': "Votre rendez-vous à {clinic} est fixé au {date} à {time}.\n\nLe fichier de calendrier joint l'ajoute à votre agenda. Pour le consulter, l'annuler ou le déplacer, connectez-vous sur le site Web de la clinique :\n{link}\n\n{clinic}",
  'mail.booking.moved.subject': 'Votre rendez-vous à {clinic} a été déplacé',
  'mail.booking.moved.body': "Votre rendez-vous à {clinic} est maintenant le {date} à {time}.\n\nLe fichier de calendrier joint met votre agenda à jour. Pour le consulter, connectez-vous sur le site Web de la clinique :\n{link}\n\n{clinic}",
  'mail.booking.cancelled.subject': 'Votre rendez-vous à {clinic} est annulé',
  'mail.booking.cancelled.body': "Votre rendez-vous à {clinic} du {date} à {time} est annulé.\n\nLe fichier de calendrier joint le retire de votre agenda. Pour prendre un autre rendez-vous, connectez-vous sur le site Web de la clinique :\n{link}\n\n{clinic}",
  'mail.booking.reminder.subject': 'Rappel : votre rendez-vous à {clinic}',
  'mail.booking.reminder.body': "Ceci est un rappel de votre rendez-vous à {clinic} le {date} à {time}.\n\nPour le consulter, l'annuler ou le déplacer, connectez-vous sur le site Web de la clinique :\n{link}\n\n{clinic}",
  'mail.booking.icsSummary': 'Rendez-vous à {clinic}',
};

/** Booking's strings, by language. */
export const bookingStrings = { en, fr };
