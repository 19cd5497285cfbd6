/** ajv settings for the values schema: defaults filled in, every error reported with its schema. */
export const AJV_OPTIONS = { allErrors: true, useDefaults: true, strict: false, verbose: true } as const;
