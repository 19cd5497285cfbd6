// Types for the validator that `npm run build` generates (see build-validator.ts).
import type { ErrorObject } from 'ajv';

declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export = validate;
