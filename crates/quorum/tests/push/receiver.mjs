// A stand-in push service and browser for the Web Push test, written apart from the
// hub's Rust code with node:crypto only. It makes a browser's keys (a P-256 key pair and
// a 16-byte auth secret) and prints them with its endpoint as the first line; then, for
// each POST, it checks the VAPID signature (an ES256 JWT for its own origin, unexpired,
// made with the key in `k=`) and decrypts the aes128gcm body as RFC 8291 says. Each
// message goes to stdout as one JSON line. The first N requests (argv[2]) get a 500.

import crypto from 'node:crypto';
import http from 'node:http';

const failFirst = Number(process.argv[2] ?? 0);
const browser = crypto.createECDH('prime256v1');
browser.generateKeys();
const browserPublic = browser.getPublicKey();
const auth = crypto.randomBytes(16);
let requests = 0;

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');

function verifyVapid(header, origin) {
  const match = /^vapid t=([^,]+), k=(.+)$/.exec(header ?? '');
  if (!match) throw new Error(`no VAPID authorization: ${header}`);
  const [token, key] = [match[1], Buffer.from(match[2], 'base64url')];
  const [head, claims, signature] = token.split('.');
  if (key.length !== 65 || key[0] !== 4) throw new Error('k= is not an uncompressed P-256 key');
  const publicKey = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(key.subarray(1, 33)), y: b64url(key.subarray(33)) },
    format: 'jwk',
  });
  const signed = Buffer.from(`${head}.${claims}`);
  const ok = crypto.verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('bad VAPID signature');
  const header_ = JSON.parse(Buffer.from(head, 'base64url'));
  if (header_.alg !== 'ES256') throw new Error(`alg ${header_.alg}`);
  const body = JSON.parse(Buffer.from(claims, 'base64url'));
  const now = Math.floor(Date.now() / 1000);
  if (body.aud !== origin) throw new Error(`aud ${body.aud} is not ${origin}`);
  if (!(body.exp > now && body.exp <= now + 24 * 3600)) throw new Error(`exp ${body.exp}`);
  if (!/^(mailto:|https:)/.test(body.sub ?? '')) throw new Error(`sub ${body.sub}`);
  return { sub: body.sub, key: match[2] };
}

function decrypt(body) {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const sender = body.subarray(21, 21 + idLength);
  const sealed = body.subarray(21 + idLength);
  if (sealed.length > recordSize) throw new Error('more than one record');
  const shared = browser.computeSecret(sender);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), browserPublic, sender]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', shared, auth, info, 32));
  const key = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const record = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
  let end = record.length - 1;
  while (end >= 0 && record[end] === 0) end -= 1;
  if (record[end] !== 2) throw new Error('the last record does not end with 0x02');
  return record.subarray(0, end).toString('utf8');
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    requests += 1;
    const origin = `http://${request.headers.host}`;
    const line = { path: request.url, attempt: requests };
    try {
      if (request.method !== 'POST') throw new Error(`method ${request.method}`);
      if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
      line.vapid = verifyVapid(request.headers.authorization, origin);
      line.ttl = Number(request.headers.ttl);
      line.urgency = request.headers.urgency ?? null;
      line.message = JSON.parse(decrypt(Buffer.concat(chunks)));
    } catch (error) {
      line.error = String(error.message ?? error);
    }
    const status = line.error ? 400 : requests <= failFirst ? 500 : 201;
    line.status = status;
    process.stdout.write(`${JSON.stringify(line)}\n`);
    response.writeHead(status).end();
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(
    `${JSON.stringify({ endpoint: `http://127.0.0.1:${port}/push/browser-1`, keys: { p256dh: b64url(browserPublic), auth: b64url(auth) } })}\n`,
  );
});
