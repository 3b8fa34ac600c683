import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

export interface DnsServer {
  address: string;
  close(): Promise<void>;
}

/**
 * A UDP DNS server answering from a table (name → type → answers, read at each query so a
 * test may change it); other names get NXDOMAIN, and names in `silent` no answer at all
 * (a resolver that times out).
 */
export async function startDnsServer(zone: Record<string, Record<string, unknown[]>>, opts: { silent?: string[] } = {}): Promise<DnsServer> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (question && opts.silent?.includes(question.name.toLowerCase())) return;
    const records = question ? zone[question.name.toLowerCase()] : undefined;
    const answers = question && records ? (records[question.type] ?? []).map((data) => ({ type: question.type, name: question.name, ttl: 60, data })) : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (records ? 0 : 3), // rcode 3 = NXDOMAIN
      questions: q.questions,
      answers: answers as dnsPacket.Answer[],
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    close: () => new Promise((r) => socket.close(() => r())),
  };
}
