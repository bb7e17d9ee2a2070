// A real SMTP server on loopback for the browser suite (nodemailer's `smtp-server`):
// scripts/e2e.sh points one Baton server's BATON_SMTP_URL here, and each message is
// written as it arrived, `<time>-<n>.eml`, into the folder given, which the suite reads
// as a person reads their inbox (fixtures/mail.ts).
//   node smtp-inbox.mjs PORT FOLDER
import { createRequire } from 'module';
import { promises as fs } from 'fs';
import path from 'path';

const { SMTPServer } = createRequire(import.meta.url)('smtp-server');
const [port, folder] = process.argv.slice(2);
await fs.mkdir(folder, { recursive: true });

let received = 0;
const server = new SMTPServer({
  // Plain SMTP on loopback, as a local relay: no TLS, no login.
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 1024 * 1024,
  onData(stream, _session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', async () => {
      const name = `${Date.now()}-${++received}.eml`;
      // Written whole, then renamed: a reader never sees half a mail.
      const part = path.join(folder, `${name}.part`);
      await fs.writeFile(part, Buffer.concat(chunks));
      await fs.rename(part, path.join(folder, name));
      callback();
    });
  },
});
server.on('error', (error) => console.error('smtp-inbox:', error.message));
server.listen(Number(port), '127.0.0.1', () => console.log(`smtp-inbox: listening on 127.0.0.1:${port}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
