// Validates Kubernetes objects against their OpenAPI schemas: the built-in kinds (kubernetes-models), KEDA's
// (@kubernetes-models/keda) and the Prometheus Operator's (@kubernetes-models/prometheus-operator). Those packages
// are ES modules, so this runs as its own Node process (scripts/test/deploy-manifests.test.ts starts it):
//   node scripts/test/validate-k8s.mjs rendered.yaml   -> one JSON line: [{ object, error? }, ...]
// A kind with no schema here is an error too: add its model below rather than leave it unchecked.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const models = {
  'v1/Namespace': () => import('kubernetes-models/v1/Namespace'),
  'v1/ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'v1/Service': () => import('kubernetes-models/v1/Service'),
  'v1/Secret': () => import('kubernetes-models/v1/Secret'),
  'apps/v1/Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'batch/v1/Job': () => import('kubernetes-models/batch/v1/Job'),
  'policy/v1/PodDisruptionBudget': () => import('kubernetes-models/policy/v1/PodDisruptionBudget'),
  'autoscaling/v2/HorizontalPodAutoscaler': () => import('kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'),
  'networking.k8s.io/v1/Ingress': () => import('kubernetes-models/networking.k8s.io/v1/Ingress'),
  'networking.k8s.io/v1/NetworkPolicy': () => import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy'),
  'keda.sh/v1alpha1/ScaledObject': () => import('@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject'),
  'keda.sh/v1alpha1/TriggerAuthentication': () => import('@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication'),
  'monitoring.coreos.com/v1/PodMonitor': () => import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor'),
  'monitoring.coreos.com/v1/PrometheusRule': () => import('@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'),
};

const results = [];
for (const doc of parseAllDocuments(readFileSync(process.argv[2], 'utf8'))) {
  const object = doc.toJS();
  if (!object) continue;
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${key} ${object.metadata?.name}`;
  const load = models[key];
  if (!load) {
    results.push({ object: name, error: `no schema for ${key} in scripts/test/validate-k8s.mjs` });
    continue;
  }
  const Model = Object.values(await load()).find((v) => typeof v === 'function' && v.kind === object.kind);
  try {
    new Model(object).validate();
    results.push({ object: name });
  } catch (err) {
    results.push({ object: name, error: err instanceof Error ? err.message : String(err) });
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
