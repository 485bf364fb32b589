import { Level } from 'level'

export type RollbookLevel = Level<Uint8Array, Uint8Array>

/** Opens the node's one LevelDB with byte keys and values (prefixes in keys.ts). */
export async function openLevel(path: string): Promise<RollbookLevel> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  return db
}
