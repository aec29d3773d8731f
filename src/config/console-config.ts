/**
 * The `console` section: the web console served by the REST face on its port at `/`
 * (a browser page over the public REST API and /api/events; nothing private).
 */

export interface ConsoleConfig {
  /** serve the console at `/` of the REST port (the API's tokens still guard every call it makes) */
  enabled: boolean;
  /** a folder of console assets to serve instead of the built-in one (relative to the config file); null: the built-in one */
  assetsDir: string | null;
}

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = { enabled: true, assetsDir: null };

export const CONSOLE_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    assetsDir: { type: ['string', 'null'], minLength: 1 },
  },
} as const;
