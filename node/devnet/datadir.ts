/** The devnet's datadir: its layout, the lock that keeps a second devnet off it, and ports. */
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, portIsFree } from './anvil.ts'
import { DevnetError } from './errors.ts'

export function devnetPaths(datadir: string) {
  return {
    devnetFile: join(datadir, 'devnet.json'),
    rollupFile: join(datadir, 'rollup.json'),
    anvilState: join(datadir, 'l1', 'anvil-state.json'),
    anvilPid: join(datadir, 'l1', 'anvil.pid'),
    sequencer: join(datadir, 'sequencer'),
    replica: join(datadir, 'replica'),
    logFile: join(datadir, 'devnet.log'),
    lockFile: join(datadir, 'devnet.lock'),
  }
}

/** Takes DIR/devnet.lock (holding our pid); a lock left by a process that is gone is taken over. */
export function lockDatadir(datadir: string): { release(): void } {
  const { lockFile } = devnetPaths(datadir)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
      return { release: () => rmSync(lockFile, { force: true }) }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new DevnetError(`cannot lock ${datadir}: ${(e as Error).message}`)
    }
    const holder = Number(readFileSync(lockFile, 'utf8').trim())
    if (Number.isInteger(holder) && holder > 0 && processIsAlive(holder)) {
      throw new DevnetError(`${datadir} is in use by another devnet (pid ${holder}); stop it first, or pass another --datadir`)
    }
    unlinkSync(lockFile)
  }
  throw new DevnetError(`cannot lock ${datadir}: another process keeps taking ${lockFile}`)
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * A devnet killed with SIGKILL leaves its anvil running, still dumping into the state file: stop
 * it (it dumps the latest state on the way out) before a new anvil loads that file.
 */
export async function stopLeftoverAnvil(datadir: string): Promise<void> {
  const { anvilPid, anvilState } = devnetPaths(datadir)
  if (!existsSync(anvilPid)) return
  const pid = Number(readFileSync(anvilPid, 'utf8').trim())
  if (Number.isInteger(pid) && pid > 0 && commandLineOf(pid).includes(anvilState)) {
    process.kill(pid, 'SIGTERM')
    const deadline = Date.now() + 15_000
    while (commandLineOf(pid) !== '') {
      if (Date.now() > deadline) throw new DevnetError(`the anvil left running by an earlier devnet (pid ${pid}) does not stop; kill it, then start again`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  rmSync(anvilPid, { force: true })
}

/** The process's command line, '' when it is gone (Linux /proc). */
function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

/** What a first start left behind when it stopped before writing devnet.json: it starts over. */
export function removeUnfinishedSetup(datadir: string): void {
  const paths = devnetPaths(datadir)
  for (const path of [paths.rollupFile, join(datadir, 'l1'), paths.sequencer, paths.replica]) {
    if (existsSync(path)) rmSync(path, { recursive: true, force: true })
  }
}

export interface PortChoice {
  /** a port the user asked for: it must be free */
  requested?: number
  /** the port of the previous run, kept when still free */
  saved?: number
  /** the usual port for a first start, when nothing else says */
  fallback?: number
  /** names the flag and what the port is for, in errors */
  flag: string
  what: string
}

/** Chooses distinct free loopback ports: requested > saved (if free) > fallback > any free one. */
export class PortChooser {
  private readonly taken = new Set<number>()

  async choose({ requested, saved, fallback, flag, what }: PortChoice): Promise<number> {
    if (requested !== undefined && requested !== 0) {
      if (this.taken.has(requested) || !(await portIsFree(requested))) {
        throw new DevnetError(`port ${requested} (${what}) is taken; stop whatever listens there, or pass another ${flag} (0 picks a free one)`)
      }
      return this.take(requested)
    }
    if (saved !== undefined && !this.taken.has(saved) && (await portIsFree(saved))) return this.take(saved)
    if (requested === undefined && fallback !== undefined) {
      if (this.taken.has(fallback) || !(await portIsFree(fallback))) {
        throw new DevnetError(`port ${fallback} (${what}) is taken; stop whatever listens there, or pass ${flag} PORT (0 picks a free one)`)
      }
      return this.take(fallback)
    }
    for (;;) {
      const port = await freePort()
      if (!this.taken.has(port)) return this.take(port)
    }
  }

  private take(port: number): number {
    this.taken.add(port)
    return port
  }
}
