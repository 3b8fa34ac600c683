import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';

export interface DnsServer {
  address: string;
  close(): Promise<void>;
}

/** A UDP DNS server answering from a fixed table (name → type → answers); other names get NXDOMAIN. */
export async function startDnsServer(zone: Record<string, Record<string, unknown[]>>): Promise<DnsServer> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
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
