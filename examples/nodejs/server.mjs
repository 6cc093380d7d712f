// A FranceConnect+ / FranceConnect / ProConnect service provider ("FS") in
// Node.js, on the standard library only (node:http, node:crypto): what a
// team outside Go writes, and what `fcemulator conformance` rehearses the
// qualification of. It is an example and a test subject, not a library.
//
// Configuration (environment):
//   FC_ISSUER (or FCEMULATOR_ISSUER)  the provider's issuer, …/api/v2
//   FC_PLATFORM                       fcplus (default), fc or proconnect
//   FC_CLIENT_ID, FC_CLIENT_SECRET    the registration
//   PORT                              listen port on 127.0.0.1 (default 3000)
//   FC_SCOPES                         default "openid given_name family_name" (ProConnect: "openid given_name usual_name email")
//   FC_ACR                            default eidas2 on FranceConnect+, eidas1 on FranceConnect
//   FC_SIGNING_ALG                    the registered id_token algorithm: ES256 (default) or RS256
// The redirect URIs are http://127.0.0.1:PORT/callback and /logout-callback;
// on FranceConnect+ the encryption key (ECDH-ES, made at start) is served at
// /client/keys, the "Client keys URL" to register.
import http from 'node:http';
import crypto from 'node:crypto';

const env = process.env;
const issuer = env.FC_ISSUER || env.FCEMULATOR_ISSUER;
const platform = env.FC_PLATFORM || 'fcplus';
const clientId = env.FC_CLIENT_ID;
const clientSecret = env.FC_CLIENT_SECRET;
const port = Number(env.PORT || 3000);
const site = `http://127.0.0.1:${port}`;
const redirectUri = `${site}/callback`;
const postLogoutUri = `${site}/logout-callback`;
const scopes = env.FC_SCOPES || (platform === 'proconnect' ? 'openid given_name usual_name email' : 'openid given_name family_name');
const acr = env.FC_ACR || (platform === 'fc' ? 'eidas1' : 'eidas2');
const sigAlg = env.FC_SIGNING_ALG || (platform === 'proconnect' ? 'RS256' : 'ES256');
const encrypted = platform === 'fcplus';
const levels = { eidas1: 1, eidas2: 2, eidas3: 3 };
const proconnectLevels = ['eidas0', 'eidas0-mfa', 'eidas1', 'eidas1-mfa', 'eidas2', 'eidas3',
  'https://proconnect.gouv.fr/assurance/certification-dirigeant'];
const timeout = 5000; // ms: never wait for the provider without limit
if (!issuer || !clientId || !clientSecret) {
  console.error('set FC_ISSUER (or FCEMULATOR_ISSUER), FC_CLIENT_ID and FC_CLIENT_SECRET');
  process.exit(2);
}

// Our decryption key (FranceConnect+): ECDH-ES on P-256.
const { privateKey: encKey, publicKey: encPub } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const encKid = crypto.randomBytes(8).toString('hex');
const publicJWKS = { keys: [{ ...encPub.export({ format: 'jwk' }), kid: encKid, use: 'enc', alg: 'ECDH-ES' }] };

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const unb64u = (s) => Buffer.from(s, 'base64url');
const random = () => b64u(crypto.randomBytes(32)); // 43 characters
const same = (a, b) => typeof a === 'string' && typeof b === 'string' && a.length === b.length &&
  crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

// Provider metadata and keys, checked at start.
let meta;
let providerKeys = { keys: [] };
let lastForced = 0;

async function fetchJSON(url, init = {}) {
  const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeout) });
  const type = res.headers.get('content-type') || '';
  if (!type.startsWith('application/json') && !type.startsWith('application/jwk-set+json')) {
    throw new Error(`${url}: content type ${type}`);
  }
  return { status: res.status, body: await res.json() };
}

async function discover() {
  const { status, body } = await fetchJSON(`${issuer}/.well-known/openid-configuration`);
  if (status !== 200 || body.issuer !== issuer) throw new Error('discovery: wrong issuer');
  if (!(body.id_token_signing_alg_values_supported || []).includes(sigAlg)) throw new Error('discovery: no ' + sigAlg);
  meta = body;
}

// refreshKeys fetches the provider's JWKS; an unknown kid forces it at most every 10 seconds.
async function refreshKeys(force) {
  if (force && Date.now() - lastForced < 10000) return;
  if (force) lastForced = Date.now();
  const { status, body } = await fetchJSON(meta.jwks_uri);
  if (status !== 200 || !Array.isArray(body.keys)) throw new Error('jwks: bad answer');
  providerKeys = body;
}

// providerKey returns the provider's key for a JWS header: the one named by kid, or without kid the only
// key of the algorithm (refusing to guess between several).
async function providerKey(kid, alg) {
  const fit = () => providerKeys.keys.filter((k) => k.kty === (alg === 'ES256' ? 'EC' : 'RSA') &&
    (k.alg === undefined || k.alg === alg) && (k.use === undefined || k.use === 'sig'));
  const find = () => (kid === undefined ? (fit().length === 1 ? fit()[0] : undefined) : fit().find((k) => k.kid === kid));
  let k = find();
  if (!k && kid !== undefined) { await refreshKeys(true); k = find(); }
  if (!k) throw new Error('unknown signing key');
  return crypto.createPublicKey({ key: k, format: 'jwk' });
}

// concatKDF derives the A256GCM key of ECDH-ES (RFC 7518 §4.6.2).
function concatKDF(z, enc, apu, apv) {
  const len = (b) => { const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return Buffer.concat([l, b]); };
  const round = Buffer.alloc(4); round.writeUInt32BE(1);
  const keyBits = Buffer.alloc(4); keyBits.writeUInt32BE(256);
  return crypto.createHash('sha256').update(Buffer.concat([round, z, len(Buffer.from(enc)), len(apu), len(apv), keyBits])).digest();
}

// decrypt opens our JWE: ECDH-ES with our key, A256GCM only.
function decrypt(jwe) {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new Error('not a JWE');
  const header = JSON.parse(unb64u(parts[0]));
  if (header.alg !== 'ECDH-ES' || header.enc !== 'A256GCM') throw new Error('JWE algorithms');
  if (header.kid !== undefined && header.kid !== encKid) throw new Error('JWE kid');
  if (parts[1] !== '') throw new Error('JWE encrypted key with ECDH-ES');
  const epk = crypto.createPublicKey({ key: header.epk, format: 'jwk' });
  const z = crypto.diffieHellman({ privateKey: encKey, publicKey: epk });
  const key = concatKDF(z, 'A256GCM', unb64u(header.apu || ''), unb64u(header.apv || ''));
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, unb64u(parts[2]));
  decipher.setAAD(Buffer.from(parts[0]));
  decipher.setAuthTag(unb64u(parts[4]));
  return Buffer.concat([decipher.update(unb64u(parts[3])), decipher.final()]).toString();
}

// verify checks a JWS signed by the provider with the registered algorithm and returns its claims.
async function verify(jws) {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new Error('not a JWS');
  const header = JSON.parse(unb64u(parts[0]));
  if (header.alg !== sigAlg) throw new Error('signature algorithm ' + header.alg);
  const key = await providerKey(header.kid, header.alg);
  const opts = header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  if (!crypto.verify('sha256', Buffer.from(parts[0] + '.' + parts[1]), opts, unb64u(parts[2]))) {
    throw new Error('bad signature');
  }
  return JSON.parse(unb64u(parts[1]));
}

// open returns the signed token inside what the provider sent: the JWE's content on FranceConnect+.
function open(token) {
  if (encrypted) return decrypt(token);
  if (token.split('.').length !== 3) throw new Error('expected a JWS');
  return token;
}

function checkCommon(claims) {
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== issuer) throw new Error('iss');
  if (claims.aud !== clientId) throw new Error('aud');
  if (typeof claims.exp !== 'number' || claims.exp <= now - 30) throw new Error('exp');
  if (typeof claims.iat !== 'number' || claims.iat > now + 30) throw new Error('iat');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new Error('sub');
}

async function checkIDToken(token, pending) {
  const jws = open(token);
  const claims = await verify(jws);
  checkCommon(claims);
  if ('azp' in claims && claims.azp !== clientId) throw new Error('azp'); // OpenID Connect Core 3.1.3.7
  if (!same(claims.nonce, pending.nonce)) throw new Error('nonce');
  const level = platform === 'proconnect' ? proconnectLevels.includes(claims.acr) : (levels[claims.acr] || 0) >= levels[pending.acr];
  if (!level) throw new Error('acr');
  return { claims, jws };
}

async function userinfo(accessToken, sub) {
  const res = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` },
    redirect: 'manual', signal: AbortSignal.timeout(timeout) });
  const type = (res.headers.get('content-type') || '').split(';')[0];
  if (res.status !== 200 || type !== 'application/jwt') throw new Error(`userinfo: HTTP ${res.status} ${type}`);
  const claims = await verify(open(await res.text()));
  if (claims.iss !== issuer || claims.aud !== clientId) throw new Error('userinfo iss or aud');
  if (!same(claims.sub, sub)) throw new Error('userinfo sub');
  return claims;
}

async function exchange(code) {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri,
    client_id: clientId, client_secret: clientSecret });
  const { status, body: tokens } = await fetchJSON(meta.token_endpoint, { method: 'POST', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  if (status !== 200 || typeof tokens.id_token !== 'string') throw new Error(`token: HTTP ${status}`);
  return tokens;
}

// Sessions, server side, named by an HttpOnly cookie.
const sessions = new Map();
function session(req, res) {
  const sid = /(?:^|;\s*)sid=([A-Za-z0-9_-]{43})/.exec(req.headers.cookie || '')?.[1];
  if (sid && sessions.has(sid)) return sessions.get(sid);
  const id = random();
  const s = { id };
  sessions.set(id, s);
  res.setHeader('set-cookie', `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return s;
}

const page = (res, status, title, body) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${title} – Service Node</title></head>` +
    `<body><main><h1>${title}</h1>${body}</main></body></html>`);
};
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const redirect = (res, to) => { res.writeHead(303, { location: to, 'cache-control': 'no-store' }); res.end(); };
const failed = (res) => page(res, 400, 'Connexion impossible',
  '<p>La connexion n’a pas abouti. Réessayez, ou connectez-vous autrement.</p><p><a href="/">Accueil</a></p>');

async function callback(req, res, s, q) {
  const pending = s.pending;
  delete s.pending;
  if (!pending || !same(q.get('state'), pending.state)) return failed(res);
  if (q.get('iss') !== issuer) return failed(res);
  if (q.has('error') || !q.get('code')) return failed(res);
  try {
    const tokens = await exchange(q.get('code'));
    const { claims, jws } = await checkIDToken(tokens.id_token, pending);
    const info = await userinfo(tokens.access_token, claims.sub);
    s.user = { name: info.given_name || claims.sub, hint: jws };
    redirect(res, '/');
  } catch (e) {
    console.error('login refused:', e.message);
    failed(res);
  }
}

function logout(res, s) {
  const user = s.user;
  delete s.user;
  if (!user) return redirect(res, '/');
  s.logoutState = random();
  const q = new URLSearchParams({ id_token_hint: user.hint, state: s.logoutState, post_logout_redirect_uri: postLogoutUri });
  redirect(res, `${meta.end_session_endpoint}?${q}`);
}

async function handle(req, res) {
  const url = new URL(req.url, site);
  const s = session(req, res);
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /') {
    return s.user
      ? page(res, 200, 'Accueil', `<p>Bonjour ${escape(s.user.name)}</p><form method="post" action="/logout"><button>Se déconnecter</button></form>`)
      : page(res, 200, 'Accueil', '<p><a href="/login">Se connecter</a></p>');
  }
  if (route === 'GET /login') {
    s.pending = { state: random(), nonce: random(), acr };
    const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: scopes,
      state: s.pending.state, nonce: s.pending.nonce });
    if (platform !== 'proconnect') q.set('acr_values', acr);
    return redirect(res, `${meta.authorization_endpoint}?${q}`);
  }
  if (route === 'GET /callback') return callback(req, res, s, url.searchParams);
  if (route === 'POST /logout') return logout(res, s);
  if (route === 'GET /logout-callback') {
    const ok = s.logoutState && same(url.searchParams.get('state'), s.logoutState);
    delete s.logoutState;
    return ok ? redirect(res, '/') : page(res, 400, 'Déconnexion non reconnue', '<p><a href="/">Accueil</a></p>');
  }
  if (route === 'GET /client/keys' && encrypted) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(publicJWKS));
  }
  page(res, 404, 'Page introuvable', '<p><a href="/">Accueil</a></p>');
}

await discover();
await refreshKeys(false);
http.createServer((req, res) => handle(req, res).catch((e) => { console.error(e); failed(res); }))
  .listen(port, '127.0.0.1', () => console.log(`service ready at ${site}/`));
