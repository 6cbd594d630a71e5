/** The pos part's strings in French (the keys); merged into the application's catalog (app/i18n/messages.fr.ts). */
export const posFr = {} as const;
