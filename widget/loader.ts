/** /widget.js: the one script a clinic adds to its site. Defines <sm-messages>, <sm-questionnaire>, <sm-booking>. */
import './sm-messages.js';
import './sm-questionnaire.js';
import './sm-booking.js';
