/** The backoffice part's strings in French (the keys); merged into the application's catalog (app/i18n/messages.fr.ts). */
export const backofficeFr = {} as const;
