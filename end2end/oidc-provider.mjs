// A real OpenID Provider on loopback for the tests of "Sign in with another provider":
// panva's oidc-provider (OpenID Certified), so Baton is tested against a provider that
// behaves like the ones it will meet, not against a mock written to agree with it.
//   node oidc-provider.mjs PORT        (issuer http://127.0.0.1:PORT; SIGTERM stops it)
// Environment:
//   OIDC_CLIENTS       JSON [{client_id, client_secret}], default baton and baton-other
//   OIDC_REDIRECT_IDS  provider ids with a callback /auth/<id>/callback, default test,other,late,second
//   OIDC_CODE_TTL      authorization code lifetime in seconds, default 60
//   OIDC_DEBUG         when set, oidc-provider's warnings and server errors are printed
// Each start signs with a new RSA key under a new `kid` (a restart rotates the keys).
// The login typed at the dev login page decides the account (findAccount below):
//   alice@example.com             email verified; sub an opaque id, stable per login
//   unverified:bob@example.com    the same address, email_verified false
//   noemail:carol                 no email claim at all
import { createHash, generateKeyPairSync, randomUUID } from 'crypto';

const debug = Boolean(process.env.OIDC_DEBUG);
// oidc-provider warns on the console about its development-only defaults (dev
// interactions, in-memory adapter, generated keys), which is all on purpose here, and
// on import that Node 20 is past its support (it works: the tests run it on Node 20).
if (!debug) {
  console.warn = () => {};
  console.info = () => {};
}
const { default: Provider } = await import('oidc-provider');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node oidc-provider.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

const clients = JSON.parse(process.env.OIDC_CLIENTS || JSON.stringify([
  { client_id: 'baton', client_secret: 'baton-test-secret' },
  { client_id: 'baton-other', client_secret: 'baton-other-secret' },
]));
const redirectIds = (process.env.OIDC_REDIRECT_IDS || 'test,other,late,second')
  .split(',').map((id) => id.trim()).filter(Boolean);

// oidc-provider makes the account id the `sub`, and the dev login page makes the typed
// login the account id. A `sub` that is the email address would hide a client keying
// accounts on the address, so the login is swapped for an opaque id, stable per login
// (the same in every instance), as the sign-in finishes; findAccount maps it back.
const logins = new Map();
const subject = (login) => createHash('sha256').update(login).digest('hex').slice(0, 24);

// Its own signing key, made at start-up under a fresh `kid`: without one, oidc-provider
// signs with a fixed development key shared by every instance, so two instances would
// not be two issuers with their own keys, and a restart would not rotate them.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }] };

const provider = new Provider(issuer, {
  jwks,
  clients: clients.map(({ client_id, client_secret }) => ({
    client_id,
    client_secret,
    // A native client's http loopback redirect URIs match on any port (RFC 8252 §7.3:
    // oidc-provider compares them with the port stripped, for 127.0.0.1, [::1] and
    // localhost), and the tests' Baton servers listen on random ports. Native clients
    // may still be confidential: the secret and client_secret_basic are accepted.
    application_type: 'native',
    redirect_uris: redirectIds.map((id) => `http://127.0.0.1/auth/${id}/callback`),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  // By default oidc-provider requires PKCE only of public clients; Baton always sends
  // it, and a provider that insists proves it does.
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  ttl: { AuthorizationCode: Number(process.env.OIDC_CODE_TTL || 60) },
  cookies: { keys: ['baton-test-oidc-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // With a userinfo endpoint, oidc-provider by default puts the scope-requested claims
  // only in userinfo when an access token is issued too (OIDC Core 5.4). Baton reads the
  // ID token alone, as many providers allow, so the claims go into the ID token.
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    const login = logins.get(sub);
    if (login === undefined) return undefined;
    let address = login;
    let verified = true;
    if (login.startsWith('unverified:')) {
      address = login.slice('unverified:'.length);
      verified = false;
    } else if (login.startsWith('noemail:')) {
      address = undefined;
    }
    const name = (address ?? login.slice('noemail:'.length)).split('@')[0];
    return {
      accountId: sub,
      async claims() {
        return address === undefined ? { sub, name } : { sub, name, email: address, email_verified: verified };
      },
    };
  },
});
const interactionFinished = provider.interactionFinished.bind(provider);
provider.interactionFinished = (req, res, result, options) => {
  if (result?.login?.accountId !== undefined) {
    const sub = subject(result.login.accountId);
    logins.set(sub, result.login.accountId);
    result = { ...result, login: { ...result.login, accountId: sub } };
  }
  return interactionFinished(req, res, result, options);
};
// Koa logs server errors to stderr unless silent.
provider.silent = !debug;
if (debug) {
  for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
    provider.on(event, (_ctx, error) => console.error(`oidc-provider ${event}:`, error));
  }
}

const server = provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider: listening on ${issuer}`));
server.on('error', (error) => {
  console.error('oidc-provider:', error.message);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
