/** The `firmware` config section: firmware and software images, update jobs and campaigns (src/firmware/). */

export interface FirmwareConfig {
  /** the image store, update jobs and campaigns (REST /api/firmware, /api/campaigns) */
  enabled: boolean;
  /** largest image accepted, bytes */
  maxImageBytes: number;
  /** most images kept */
  maxImages: number;
  /**
   * The base URL devices reach the REST port at, for pull delivery over HTTP(S)
   * (`http://gateway.example:8080`); the Package URI is `<publicUrl>/api/fw/<token>`.
   * null: no pull over HTTP.
   */
  publicUrl: string | null;
  /**
   * The base URL devices reach the CoAP (or CoAPS) port at, for pull over CoAP with Block2
   * (`coap://gateway.example:5683`); the Package URI is `<coapUrl>/fw/<token>`. null: none.
   */
  coapUrl: string | null;
  /** seconds one device's whole update may take (delivery, update, re-registration) */
  deviceTimeout: number;
  /** seconds a push (Block1 write of the image) may take */
  pushTimeout: number;
  /** most campaigns kept (finished ones included) */
  maxCampaigns: number;
  /** most devices in one campaign */
  maxCampaignDevices: number;
}

export const DEFAULT_FIRMWARE_CONFIG: FirmwareConfig = {
  enabled: true,
  maxImageBytes: 16 * 1024 * 1024,
  maxImages: 100,
  publicUrl: null,
  coapUrl: null,
  deviceTimeout: 3600,
  pushTimeout: 900,
  maxCampaigns: 100,
  maxCampaignDevices: 100_000,
};

export const FIRMWARE_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    maxImageBytes: { type: 'integer', minimum: 1, maximum: 1_073_741_824 },
    maxImages: { type: 'integer', minimum: 1, maximum: 10_000 },
    publicUrl: { type: ['string', 'null'], pattern: '^https?://[^/?#]+(/[^?#]*)?$', maxLength: 512 },
    coapUrl: { type: ['string', 'null'], pattern: '^coaps?://[^/?#]+$', maxLength: 512 },
    deviceTimeout: { type: 'number', minimum: 1, maximum: 604_800 },
    pushTimeout: { type: 'number', minimum: 1, maximum: 86_400 },
    maxCampaigns: { type: 'integer', minimum: 1, maximum: 10_000 },
    maxCampaignDevices: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;
