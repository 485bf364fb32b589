import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util'

export interface PreconfRecord {
  blockNumber: bigint
  index: number
  timestamp: bigint
  rawTx: Uint8Array
}

const SEGMENT = /^(\d{20})\.log$/

/**
 * The sequencer's durable log of preconfirmed txs: one append-only file per unsealed block, each
 * group of records written and fdatasync'd before the txs are acknowledged, and the file removed
 * once its block is on disk. It lives apart from the LevelDB so that an acknowledgement never
 * waits behind a sealed block's large write (LevelDB runs one writer at a time: a 20-record sync
 * write waited ~50 ms behind a 15,000-node block batch).
 * A frame is u32 length ++ u32 crc32 ++ RLP [index, timestamp, rawTx]; a torn frame at the end of
 * a file is a write that was never acknowledged, and is ignored.
 */
export class PreconfLog {
  private readonly segments = new Map<bigint, FileHandle>()

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<PreconfLog> {
    await mkdir(dir, { recursive: true })
    return new PreconfLog(dir)
  }

  async append(records: PreconfRecord[]): Promise<void> {
    const byBlock = new Map<bigint, Buffer[]>()
    for (const r of records) {
      const payload = RLP.encode([bigIntToUnpaddedBytes(BigInt(r.index)), bigIntToUnpaddedBytes(r.timestamp), r.rawTx])
      const frame = Buffer.allocUnsafe(8 + payload.length)
      frame.writeUInt32BE(payload.length, 0)
      frame.writeUInt32BE(crc32(payload), 4)
      frame.set(payload, 8)
      let frames = byBlock.get(r.blockNumber)
      if (frames === undefined) byBlock.set(r.blockNumber, (frames = []))
      frames.push(frame)
    }
    for (const [blockNumber, frames] of byBlock) {
      const file = await this.segment(blockNumber)
      await file.write(Buffer.concat(frames))
      await file.datasync()
    }
  }

  /** Records of blocks after `head`, in order; segments of blocks up to `head` are removed. */
  async readAfter(head: bigint): Promise<PreconfRecord[]> {
    const numbers: bigint[] = []
    for (const name of await readdir(this.dir)) {
      const match = SEGMENT.exec(name)
      if (match === null) continue
      const number = BigInt(match[1])
      if (number <= head) await unlink(join(this.dir, name))
      else numbers.push(number)
    }
    numbers.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const out: PreconfRecord[] = []
    for (const blockNumber of numbers) {
      const bytes = await readFile(this.path(blockNumber))
      let offset = 0
      while (offset + 8 <= bytes.length) {
        const length = bytes.readUInt32BE(offset)
        const payload = bytes.subarray(offset + 8, offset + 8 + length)
        if (payload.length < length || crc32(payload) !== bytes.readUInt32BE(offset + 4)) break
        let fields: Uint8Array[]
        try {
          fields = RLP.decode(payload) as Uint8Array[]
        } catch {
          break
        }
        const [index, timestamp, rawTx] = fields
        out.push({ blockNumber, index: Number(bytesToBigInt(index)), timestamp: bytesToBigInt(timestamp), rawTx: Uint8Array.from(rawTx) })
        offset += 8 + length
      }
    }
    return out
  }

  /** The block is on disk: its records are no longer needed. */
  async drop(blockNumber: bigint): Promise<void> {
    const file = this.segments.get(blockNumber)
    this.segments.delete(blockNumber)
    await file?.close()
    await unlink(this.path(blockNumber)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e
    })
  }

  async close(): Promise<void> {
    for (const file of this.segments.values()) await file.close()
    this.segments.clear()
  }

  private path(blockNumber: bigint): string {
    return join(this.dir, `${blockNumber.toString().padStart(20, '0')}.log`)
  }

  private async segment(blockNumber: bigint): Promise<FileHandle> {
    let file = this.segments.get(blockNumber)
    if (file === undefined) {
      file = await open(this.path(blockNumber), 'a')
      this.segments.set(blockNumber, file)
      // the new file's directory entry must be durable too
      const dir = await open(this.dir, 'r')
      await dir.sync().finally(() => dir.close())
    }
    return file
  }
}
