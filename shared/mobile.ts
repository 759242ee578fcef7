/** A strict E.164 mobile number: "+", a country code not starting with 0, 7 to 15 digits in all, no spaces. */
export const MOBILE_PATTERN = /^\+[1-9][0-9]{6,14}$/;
