import { Type } from '@sinclair/typebox';

/** Every error answer of the JSON APIs (errors.ts, toErrorReply): a stable code and a message that says why. */
export const ErrorSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
});
