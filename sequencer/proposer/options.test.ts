/** Proposer options: defaults filled in, every bad field refused once, with the field's name. */
import t from 'tap'
import { ProposerConfigError } from './errors.ts'
import { parseProposerOptions } from './options.ts'

const valid = {
  l1RpcUrl: 'http://127.0.0.1:8545',
  outputRoots: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  inbox: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  privateKey: `0x${'11'.repeat(32)}`,
}

t.test('parseProposerOptions_defaultsAndChecksumAddresses', async (t) => {
  const opts = parseProposerOptions(valid)
  t.equal(opts.outputRoots, '0x5FbDB2315678afecb367f032d93F642f64180aa3', 'addresses checksummed')
  t.equal(opts.bond, undefined, "no bond: the contract's minBond")
  t.equal(opts.l1Confirmations, 0)
  t.equal(opts.pollIntervalMs, 1_000)
  t.equal(parseProposerOptions({ ...valid, bond: '100000000000000000' }).bond, 100_000_000_000_000_000n, 'a bond as a decimal wei string')
  t.equal(parseProposerOptions({ ...valid, bond: 5n }).bond, 5n)
})

t.test('parseProposerOptions_badField_namesIt', async (t) => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ l1RpcUrl: 'ws://127.0.0.1:8545' }, /l1RpcUrl: expected an http\(s\) URL/],
    [{ outputRoots: '0x1234' }, /outputRoots: not a 20-byte hex address/],
    [{ privateKey: '0x1234' }, /privateKey: expected 32 bytes/],
    [{ bond: '0.1' }, /bond: /],
    [{ bond: 0n }, /bond: must be more than 0 wei/],
    [{ l1Confirmations: -1 }, /l1Confirmations: /],
    [{ retryMinMs: 500, retryMaxMs: 100 }, /retryMaxMs: must be at least retryMinMs/],
    [{ batcherKey: valid.privateKey }, /Unrecognized key/],
  ]
  for (const [change, message] of bad) {
    t.throws(() => parseProposerOptions({ ...valid, ...change } as never), { name: 'ProposerConfigError', message }, JSON.stringify(change, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)))
  }
  t.throws(() => parseProposerOptions({ ...valid, privateKey: 'nope' }), ProposerConfigError)
})
