// Finding a reader by the token in a link. Malformed, unknown, expired and erased all end the same way: one 404
// with one message, so a link that does not work says nothing about why.
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { ReaderStatus } from './reader-status.js';
import { isWellFormedToken } from './tokens.js';

export function unknownLink() {
  return errors.notFound('This link does not work: it may be mistyped, cut short by your mail program, or expired.');
}

export interface ReaderRow {
  id: number;
  email: string;
  status: ReaderStatus;
  token: string;
  confirmedAt: Date | null;
}

const READER = { id: true, email: true, status: true, token: true, confirmedAt: true } as const;

/** The reader whose long-lived token this is, or a 404. */
export async function findReaderByToken(prisma: PrismaClient, token: unknown): Promise<ReaderRow> {
  if (!isWellFormedToken(token)) throw unknownLink();
  const reader = await prisma.subscriber.findFirst({ where: { token, erasedAt: null }, select: READER });
  if (!reader) throw unknownLink();
  return reader;
}
