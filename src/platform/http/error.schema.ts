import { Type } from 'typebox';
import { ERRORS } from '../../errors.js';

/** The body of every error answer, for the OpenAPI document. */
export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    code: Type.Union(Object.keys(ERRORS).map((code) => Type.Literal(code))),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});
