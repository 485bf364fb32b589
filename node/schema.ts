import type { z } from 'zod'

/** The first problem of a failed parse, as `path: message` (or `(root): message`). */
export function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0]
  return { path: issue?.path.join('.') ?? '', message: issue?.message ?? 'invalid' }
}

/** Parses `input` with `schema`, or throws the error `toError` makes from its first issue. */
export function parseOrThrow<S extends z.ZodTypeAny>(schema: S, input: unknown, toError: (path: string, message: string) => Error): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const { path, message } = firstIssue(parsed.error)
  throw toError(path, message)
}
