/** JSON Schema fragments the config sections share. */
export const seconds = { type: 'number', minimum: 0 } as const;
export const positiveInt = { type: 'integer', minimum: 1 } as const;
export const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
export const nullableString = { type: ['string', 'null'] } as const;
