/** Entry of the admin SPA. */
import './sm-admin-app.js';
