// Validates custom resources rendered by the chart against the schemas generated from their
// CRDs (the @kubernetes-models packages). Input: a JSON file holding [{"id": "...", "object": {...}}].
// Prints one line per problem; exits 1 when any object is invalid or of a kind it has no schema for.
import { readFileSync } from "node:fs";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";

const models = {
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule,
};

let failed = 0;
for (const { id, object } of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (!Model) {
    console.log(`${id}: no schema for ${object.apiVersion} ${object.kind}; add its model to scripts/helm-check.d`);
    failed++;
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    console.log(`${id}: ${e.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
