import { spawn } from 'node:child_process'
import { echoRate } from './load.ts'
import { HttpRpc } from './rpcClient.ts'

/** A JSON-RPC echo in its own process: answers every POST with a constant result, no parsing. */
const ECHO_SERVER = `
const http = require('node:http')
const body = '{"jsonrpc":"2.0","id":1,"result":"0x1"}'
const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => {
  req.resume()
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body))
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
`

export interface ClientOverhead {
  /** requests per second against the echo process */
  echoPerS: number
  /** the bench process's CPU time per request (user + system) */
  clientCpuUsPerRequest: number
  /** what one core of the client could push if the server took no time */
  clientCeilingPerS: number
}

/**
 * The client's own cost, once: `requests` eth_chainId calls with `inFlight` open against an echo
 * server in another process, and this process's CPU time per request.
 */
export async function measureClientOverhead(inFlight: number, requests = 20_000): Promise<ClientOverhead> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (d) => resolve(Number(String(d).trim())))
      child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)))
    })
    const rpc = new HttpRpc(`http://127.0.0.1:${port}`, inFlight)
    await echoRate(rpc, 'eth_chainId', 2_000, inFlight) // warm up sockets and JIT
    const cpu = process.cpuUsage()
    const echoPerS = await echoRate(rpc, 'eth_chainId', requests, inFlight)
    const used = process.cpuUsage(cpu)
    rpc.close()
    const clientCpuUsPerRequest = (used.user + used.system) / requests
    return { echoPerS, clientCpuUsPerRequest, clientCeilingPerS: 1e6 / clientCpuUsPerRequest }
  } finally {
    child.kill('SIGKILL')
  }
}
