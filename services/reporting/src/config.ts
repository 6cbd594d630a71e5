import { DEFAULT_PORTS } from "@comptoir/contracts";
import { AuthEnv, BaseServiceEnv, DatabaseEnv, Env, EventsEnv, Type } from "@comptoir/platform";
import { isTimeZone } from "./model/local-time";

/** The online channel's days are those of the platform's time zone. */
export const DEFAULT_ONLINE_TIMEZONE = "Europe/Paris";

export const configSchema = Type.Object({
  ...BaseServiceEnv,
  ...AuthEnv,
  ...DatabaseEnv,
  ...EventsEnv,
  PORT: Env.port(DEFAULT_PORTS.reporting),
  REPORTING_ONLINE_TIMEZONE: Type.String({
    minLength: 1,
    default: DEFAULT_ONLINE_TIMEZONE,
    description: "IANA time zone of the online channel's days and hours in the sales reports (e.g. Europe/Paris)",
  }),
  REPORTING_OVERSTOCK_DAYS: Type.Integer({
    minimum: 1,
    maximum: 3650,
    default: 90,
    description: "stock report: more days of cover than this (at the last 28 days' pace) is overstock",
  }),
});

/** REPORTING_ONLINE_TIMEZONE, checked at boot: an unknown zone stops the service with a clear message. */
export function onlineTimeZoneOf(config: { REPORTING_ONLINE_TIMEZONE: string }): string {
  const zone = config.REPORTING_ONLINE_TIMEZONE;
  if (!isTimeZone(zone))
    throw new Error(`REPORTING_ONLINE_TIMEZONE: "${zone}" is not an IANA time zone (e.g. Europe/Paris)`);
  return zone;
}
