/** A devnet start that cannot go on (port taken, datadir in use, bad saved state): the message says why and what to do. */
export class DevnetError extends Error {
  override readonly name = 'DevnetError'
}
