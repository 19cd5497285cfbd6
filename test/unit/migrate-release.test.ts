/** The plan migrate --from-release makes of what it read (the reading itself runs on a control plane: upstream-migration.test). */
import { parse } from 'yaml';
import { planReleaseMigration, splitImage } from '../../lib/cli/migrate-release.js';
import type { ReleaseFacts } from '../../lib/cli/release-facts.js';

/** What the reader finds for an upstream release whose users named the database superuser `aileron`. */
const facts = (postgresUser: string): ReleaseFacts => ({
  release: { name: 'team', namespace: 'team', revision: 3, chart: { name: 'aileron', version: '0.1.0' }, config: { postgres: { auth: { username: postgresUser } } }, chartValues: {}, manifest: [] },
  upstreamFullname: 'team-aileron',
  postgres: { statefulSet: 'team-aileron-postgres', claim: 'data-team-aileron-postgres-0', claimPhase: 'Bound', image: 'postgres:15-alpine', dataSubdirectory: '' },
  redis: undefined,
  credentials: { secret: 'team-aileron-secrets', postgresUser, postgresPassword: 'p', keycloakUser: 'admin', keycloakPassword: 'k' },
  coturnService: undefined,
  namespaces: new Map(),
  workspaceNamespaces: [],
  crdExists: true,
});

test('a superuser named like one of our service roles keeps its name, and the service role takes another', () => {
  const plan = planReleaseMigration(facts('aileron'));
  const values = parse(plan.yaml);
  expect(values.postgres.auth).toMatchObject({ username: 'aileron', appUsername: 'aileron_service', existingSecret: 'team-upstream-credentials' });
  expect(values.postgres.auth.keycloakUsername).toBeUndefined();
  expect(plan.changes).toContain('postgres.auth.appUsername: aileron_service (the release\'s superuser is named aileron)');
});

test('our names differ from the release\'s: fullnameOverride where the release name holds no "aileron"', () => {
  expect(parse(planReleaseMigration(facts('postgres')).yaml).fullnameOverride).toBe('team');
});

test.each([
  ['postgres:15-alpine', { repository: 'postgres', tag: '15-alpine' }],
  ['registry.example.com:5000/pg', { repository: 'registry.example.com:5000/pg', tag: 'latest' }],
  ['postgres:15@sha256:abc', { repository: 'postgres', tag: '15', digest: 'sha256:abc' }],
])('image %s splits as the chart holds it', (ref, expected) => {
  expect(splitImage(ref)).toEqual({ digest: undefined, ...expected });
});
