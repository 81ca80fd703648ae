// A real OpenID Connect provider for the sign-in tests, shaped like ProConnect: one scope
// per claim (openid email given_name usual_name siret), `usual_name` as the family name,
// PKCE required, `client_secret_basic`, and a client whose userinfo answers as a signed JWT
// (`application/jwt`), as ProConnect does.
//
//   node tests/oidc/provider.mjs <port>        (or OIDC_PORT=<port>)
//
// Environment:
//   OIDC_PORT            port when not given as the first argument (default 9950)
//   OIDC_REDIRECT_URIS   comma-separated redirect URIs of every client
//                        (default http://test/api/v1/auth/oidc/callback)
//   OIDC_CODE_TTL        lifetime of an authorization code in seconds (default 60)
//   OIDC_SHORT_CODE_TTL  the same for the client `maillage-court` (default 1): the
//                        "expired code" test waits past it instead of a minute
//   OIDC_CLIENT_SECRET   secret of every client (default secret-de-test)
//   OIDC_EXIT_WITH_STDIN 1: stop when stdin closes (the test fixture's pipe)
//
// Sign-in goes through the development interactions: a login form (any password), then a
// consent form. The login must be one of the account ids below.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_PORT || 9950);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://test/api/v1/auth/oidc/callback')
  .split(',').map((uri) => uri.trim()).filter(Boolean);
const codeTtl = Number(process.env.OIDC_CODE_TTL || 60);
const shortCodeTtl = Number(process.env.OIDC_SHORT_CODE_TTL || 1);
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'secret-de-test';

// Fixed agents. The SIRET of `agent-siret` is the first structure of the Pantin demo
// network (backend/maillage/demo/data/pantin.json).
export const ACCOUNTS = {
  'agent-invite': {
    email: 'Camille.Invitee@Exemple.gouv.fr',
    email_verified: true,
    given_name: 'Camille',
    usual_name: 'Invitée',
    siret: '11122233300011',
  },
  'agent-siret': {
    email: 'dominique.siret@exemple.gouv.fr',
    email_verified: true,
    given_name: 'Dominique',
    usual_name: 'Siret',
    siret: '99933500001023',
  },
  'agent-inconnu': {
    email: 'alex.inconnu@exemple.gouv.fr',
    email_verified: true,
    given_name: 'Alex',
    family_name: 'Inconnu',
    siret: '00000000000000',
  },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'cle-de-test', use: 'sig', alg: 'RS256' };

const client = (clientId, extra = {}) => ({
  client_id: clientId,
  client_secret: clientSecret,
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...extra,
});

const configuration = {
  clients: [
    client('maillage'),
    client('maillage-jwt', { userinfo_signed_response_alg: 'RS256' }),
    client('maillage-court'),
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // ProConnect asks for one scope per claim; `profile` also lists `usual_name`. The scope
  // `usual_name` also gives `family_name`, so that `agent-inconnu` (a provider that only
  // knows the standard claim) tests the app's fallback.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    given_name: ['given_name'],
    usual_name: ['usual_name', 'family_name'],
    siret: ['siret'],
    profile: ['given_name', 'family_name', 'usual_name'],
  },
  scopes: ['openid'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: true },
    revocation: { enabled: false },
  },
  ttl: {
    AuthorizationCode: (_ctx, _code, cl) => (cl.clientId === 'maillage-court' ? shortCodeTtl : codeTtl),
    AccessToken: 600,
    IdToken: 600,
    Interaction: 600,
    Session: 600,
    Grant: 600,
  },
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`Fournisseur OpenID de test prêt : ${issuer}/.well-known/openid-configuration`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by the test suite with a pipe on stdin: leave when the suite goes away, even killed.
if (process.env.OIDC_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
