/** Options of the native execution path; protocol results never depend on them, only speed. */
export interface FastPathOptions {
  /** execute placeBet natively (on by default); off runs every tx in the EVM */
  fastPath: boolean
  /** also run every natively executed tx in the EVM and compare (ROLLBOOK_SHADOW_EXEC=1) */
  shadowExec: boolean
}

export function fastPathOptions(input: Partial<FastPathOptions> = {}, env: NodeJS.ProcessEnv = process.env): FastPathOptions {
  return {
    fastPath: input.fastPath ?? true,
    shadowExec: input.shadowExec ?? env.ROLLBOOK_SHADOW_EXEC === '1',
  }
}
