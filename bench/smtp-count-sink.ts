// The benchmark's mail relay: a real SMTP server (smtp-server, as in the tests) in a process of its own that accepts
// every message, counts messages and bytes, and throws the data away. The parent talks to it over IPC:
// it sends { port } when listening, and answers "stats" with { messages, bytes, maxRssMb } and "reset".
import { SMTPServer } from 'smtp-server';

let messages = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 10 * 1024 * 1024,
  maxClients: 1000,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      messages++;
      callback();
    });
  },
});
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as { port: number };
  process.send?.({ port });
});
process.on('message', (msg) => {
  if (msg === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({
      messages,
      bytes,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    });
  } else if (msg === 'reset') {
    messages = 0;
    bytes = 0;
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
