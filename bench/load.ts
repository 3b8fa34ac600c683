// HTTP load generator in its own process: GETs one URL with C connections for D seconds
// (optional fourth argument: request headers as JSON).
import { Agent, request } from 'undici';

const [url, conc = '50', secs = '10', headersJson = '{}'] = process.argv.slice(2);
const headers = JSON.parse(headersJson) as Record<string, string>;
const agent = new Agent({ connections: Number(conc), keepAliveTimeout: 30_000, pipelining: Number(process.env.PIPELINING ?? 1) });
const latencies: number[] = [];
let errors = 0;
const until = Date.now() + Number(secs) * 1000;

async function loop() {
  while (Date.now() < until) {
    const t0 = performance.now();
    try {
      const res = await request(url!, { dispatcher: agent, headers });
      await res.body.dump();
      if (res.statusCode !== 200) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
}

await Promise.all(Array.from({ length: Number(conc) }, loop));
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
process.stdout.write(JSON.stringify({ requests: latencies.length, rps: latencies.length / Number(secs), p50: q(50), p99: q(99), errors }) + '\n');
await agent.close();
