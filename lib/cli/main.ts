#!/usr/bin/env node
/**
 * `aileron-k8s`: renders the platform from values.
 *   synth  -f values.yaml [-f ...] [--set k=v]... [--release NAME] [--namespace NS] -o DIR
 */
import { parseArgs } from 'node:util';
import { loadValues, ValuesError } from '../values/load.js';
import { renderPlatform } from '../platform/platform-chart.js';
import { ReusingSecretGenerator } from '../platform/credentials.js';
import { readGeneratedSecrets, writeManifests } from '../render/write.js';
import { writeChart } from '../chart/write-chart.js';
import { checkOutputDir, OutputError } from '../render/output-dir.js';
import { renderWorkspaceFile } from './workspace-command.js';
import { WorkspaceError } from '../workspace/model.js';
import { runMigrate } from './migrate.js';
import { runMigrateRelease } from './migrate-release.js';
import { ReleaseNotFound } from './helm-release.js';
import { ApiError } from '../../operator/api-client.js';
import { InputError } from '../values/read-input.js';

const USAGE = `usage: aileron-k8s <command> [options]

commands:
  synth   render plain manifests for kubectl apply / GitOps
  chart   write the Helm chart (values apply at helm install time)
  workspace [options] WORKSPACE.yaml
          print what the operator would apply for a Workspace (multi-document YAML)
  migrate -f UPSTREAM-VALUES.yaml [-o NEW-FILE]
          rewrite a values file of the upstream chart into this one's (stdout without -o)
  migrate --from-release RELEASE -n NAMESPACE [-o NEW-FILE] [--dry-run]
          read a live release of the upstream chart (current kubeconfig) and write values that keep
          its data, credentials and hosts; first do what helm upgrade needs (--dry-run: only say it)

options:
  -f, --values FILE      values file (repeatable; later files win)
      --set K=V          set a value (repeatable; Helm syntax: a.b=c, list[0]=x, key\\.with\\.dots=v)
      --set-string K=V   like --set, but the value is always a string
      --release NAME     release name (default aileron)
      --from-release NAME  migrate: the live upstream release to read
      --dry-run          migrate --from-release: print the plan and values, change nothing
      --kubeconfig FILE  migrate --from-release: the kubeconfig (default $KUBECONFIG, then ~/.kube/config)
  -n, --namespace NS     namespace of the platform objects (default aileron)
  -o, --output DIR       output folder (default dist; charts/aileron for chart)
  -h, --help             show this help
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        values: { type: 'string', short: 'f', multiple: true, default: [] },
        set: { type: 'string', multiple: true, default: [] },
        'set-string': { type: 'string', multiple: true, default: [] },
        release: { type: 'string', default: 'aileron' },
        namespace: { type: 'string', short: 'n', default: 'aileron' },
        output: { type: 'string', short: 'o' },
        'from-release': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        kubeconfig: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: command === 'workspace',
    });
  } catch (err) {
    process.stderr.write(`aileron-k8s ${command}: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const opts = parsed.values;
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const nameProblem = checkName('--release', opts.release!) ?? checkName('--namespace', opts.namespace!);
  if (nameProblem) {
    process.stderr.write(`aileron-k8s ${command}: ${nameProblem}\n`);
    return 2;
  }

  try {
    if (command === 'migrate' && opts['from-release'] !== undefined) {
      if (opts.values!.length > 0) throw new ValuesError(['migrate: give either -f FILE or --from-release RELEASE, not both']);
      const release = opts['from-release'];
      const problem = checkName('--from-release', release);
      if (problem) throw new ValuesError([problem]);
      if (opts.kubeconfig) process.env.KUBECONFIG = opts.kubeconfig;
      return await runMigrateRelease(
        { release, namespace: opts.namespace!, out: opts.output, dryRun: opts['dry-run']! },
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
    }
    if (command === 'migrate') {
      return runMigrate(opts.values ?? [], opts.output, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    }
    if (command === 'chart') {
      const out = opts.output ?? 'charts/aileron';
      checkOutputDir(out);
      const files = writeChart(out);
      process.stdout.write(`wrote the chart (${files.length} files) to ${out}\n`);
      return 0;
    }
    const values = loadValues({ files: opts.values, set: opts.set, setString: opts['set-string'] });
    switch (command) {
      case 'synth': {
        const out = opts.output ?? 'dist';
        checkOutputDir(out);
        const objects = renderPlatform({
          values,
          release: opts.release,
          namespace: opts.namespace,
          secrets: new ReusingSecretGenerator(readGeneratedSecrets(out)),
        });
        const files = writeManifests(out, objects);
        process.stdout.write(`wrote ${objects.length} objects in ${files.length} files to ${out}\n`);
        return 0;
      }
      case 'workspace': {
        const [file] = parsed.positionals;
        if (!file) throw new ValuesError(['workspace: give the Workspace YAML file to render']);
        process.stdout.write(renderWorkspaceFile(file, values, opts.release!, opts.namespace!));
        return 0;
      }
      default:
        process.stderr.write(`aileron-k8s: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ValuesError) {
      process.stderr.write(`aileron-k8s ${command}: ${err.message}\nnothing was written.\n`);
      return 1;
    }
    if (err instanceof OutputError || err instanceof InputError || err instanceof ReleaseNotFound) {
      process.stderr.write(`aileron-k8s ${command}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof ApiError) {
      // The API server's own Status message says what was refused (RBAC, a conflict, validation).
      let message = err.body;
      try {
        message = (JSON.parse(err.body) as { message?: string }).message ?? err.body;
      } catch {
        // not a Status: keep the body as it came
      }
      process.stderr.write(`aileron-k8s ${command}: the API server answered ${err.code}: ${message}\n`);
      return 1;
    }
    if (err instanceof WorkspaceError) {
      process.stderr.write(`aileron-k8s workspace: invalid Workspace: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function checkName(flag: string, value: string): string | undefined {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) && value.length <= 53
    ? undefined
    : `${flag} "${value}" must be a DNS label of at most 53 characters (lowercase letters, digits, "-")`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    // An unexpected failure is a bug: one line for the user, the stack on request.
    const e = err as Error;
    process.stderr.write(`aileron-k8s: internal error: ${e.message ?? err}${process.env.AILERON_DEBUG ? `\n${e.stack}` : ' (set AILERON_DEBUG=1 for the stack)'}\n`);
    process.exit(1);
  },
);
