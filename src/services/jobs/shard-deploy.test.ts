// The shipped deployment files agree with the CLI: the Indexed Job's completions, --shards and the merge's folder
// list say the same N, each pod's index reaches `--shards` through JOB_COMPLETION_INDEX, the volume paths line up,
// and the Dockerfile builds the headless CLI without Electron. (Docker and a cluster are not available here.)
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { shardOption } from '../../cli/queue.js';
import { appRoot } from '../paths.js';

// js-yaml: the YAML parser the repository already uses for electron-builder.yml (no types are installed).
const yaml = createRequire(import.meta.url)('js-yaml') as { loadAll: (text: string) => unknown[] };

interface Container {
  args: string[];
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  volumeMounts: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface K8sDoc {
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template?: {
      spec: { containers: Container[]; volumes: { persistentVolumeClaim: { claimName: string } }[] };
    };
  };
}

/** What Kubernetes does to `$(VAR)` in args, given the container's environment. */
function expand(args: string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\((\w+)\)/g, (m, v: string) => env[v] ?? m));
}

test('deploy/k8s/extract-job.yaml: Indexed Job wiring matches the CLI', async () => {
  const docs = yaml.loadAll(
    await readFile(join(appRoot(), 'deploy/k8s/extract-job.yaml'), 'utf8'),
  ) as K8sDoc[];
  const pvc = docs.find((d) => d.kind === 'PersistentVolumeClaim');
  const [job, merge] = docs.filter((d) => d.kind === 'Job');
  assert.ok(pvc && job && merge);
  assert.equal(job.spec.completionMode, 'Indexed');
  const n = job.spec.completions as number;
  assert.ok(n >= 2);
  assert.equal(job.spec.parallelism, n);
  const c = job.spec.template?.spec.containers[0] as Container;
  assert.deepEqual(
    c.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath,
    "metadata.annotations['batch.kubernetes.io/job-completion-index']",
  );
  const shardsAt = c.args.indexOf('--shards');
  assert.equal(Number(c.args[shardsAt + 1]), n, '--shards must equal completions');
  const outAt = c.args.indexOf('--out');
  // Every pod: the CLI reads its shard from the index, and writes the folder the merge reads.
  const mergeArgs = merge.spec.template?.spec.containers[0]?.args as string[];
  assert.deepEqual(mergeArgs.slice(0, 2), ['extract', 'merge']);
  const mergeOut = mergeArgs.indexOf('--out');
  const mergeDirs = mergeArgs.slice(2, mergeOut);
  assert.equal(mergeDirs.length, n, 'the merge must list every shard folder');
  for (let i = 0; i < n; i++) {
    const args = expand(c.args, { JOB_COMPLETION_INDEX: String(i) });
    assert.deepEqual(shardOption({ shards: args[shardsAt + 1] }, { JOB_COMPLETION_INDEX: String(i) }), {
      index: i,
      count: n,
    });
    assert.equal(args[outAt + 1], mergeDirs[i]);
  }
  assert.ok(!mergeDirs.includes(mergeArgs[mergeOut + 1] as string));
  // The input and output mounts: the shards' outputs and the merge's inputs are on the same claim and path.
  const claim = (d: K8sDoc) => d.spec.template?.spec.volumes[0]?.persistentVolumeClaim.claimName;
  assert.equal(claim(job), pvc.metadata.name);
  assert.equal(claim(merge), pvc.metadata.name);
  const outMount = (d: K8sDoc) =>
    d.spec.template?.spec.containers[0]?.volumeMounts.find((m) => m.mountPath === '/data/out');
  assert.deepEqual(outMount(job), outMount(merge));
  assert.ok(c.volumeMounts.some((m) => m.mountPath === '/data/in' && c.args[2] === '/data/in'));
});

test('Dockerfile: headless CLI on Node 22 without Electron or the CUDA download, entry = bin/doclens.mjs', async () => {
  const text = await readFile(join(appRoot(), 'Dockerfile'), 'utf8');
  assert.match(text, /^FROM node:22-bookworm-slim AS build$/m);
  assert.match(text, /ELECTRON_SKIP_BINARY_DOWNLOAD=1/);
  assert.match(text, /ONNXRUNTIME_NODE_INSTALL=skip/);
  assert.match(text, /npm ci /);
  assert.match(text, /npm prune --omit=dev/);
  assert.match(text, /^ENTRYPOINT \["node", "\/app\/bin\/doclens\.mjs"\]$/m);
  // Everything the image copies exists in the repository (or is built: dist, node_modules).
  for (const m of text.matchAll(/^COPY --from=build \/app\/(\S+)/gm)) {
    const p = m[1] as string;
    if (p === 'dist' || p === 'node_modules' || p.startsWith('package')) continue;
    await readFile(join(appRoot(), p)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EISDIR') throw new Error(`Dockerfile copies ${p}, which is not in the repository`);
    });
  }
  const ignore = await readFile(join(appRoot(), '.dockerignore'), 'utf8');
  assert.match(ignore, /^node_modules$/m);
  assert.match(ignore, /^dist$/m);
});
