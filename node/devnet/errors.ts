/** A devnet start that cannot go on (port taken, datadir in use, bad saved state): the message says why and what to do. */
export class DevnetError extends Error {
  override readonly name = 'DevnetError'
}

/** A stop (SIGINT, SIGTERM) asked for while the devnet was starting: what had started is stopped again. */
export class DevnetStartStopped extends Error {
  override readonly name = 'DevnetStartStopped'
}
