"""Lints helm/tamis, renders it with several values sets and validates what it renders, offline.

Run by scripts/helm-check inside its tools venv. Each values set is linted (strict), rendered,
validated against the Kubernetes schemas of the oldest and newest supported releases (strict:
unknown fields fail), custom resources against their CRD schemas (Node, crd-validate.mjs), then
checked against the rules the chart promises (probes, security context, shared blob store, a
NetworkPolicy that admits only the ingress controller to the console,
selectors that match...). A self-test then breaks copies of the chart and asserts each break is
caught, so this check cannot pass by checking nothing.
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import kubernetes_validate.utils as kv
import yaml

# kubernetes-validate reads its schema files (the definitions are megabytes) on every call; they
# never change during a run, and jsonschema does not modify them.
kv.schema_contents = functools.lru_cache(maxsize=None)(kv.schema_contents)

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "tamis"
HERE = Path(__file__).resolve().parent
RELEASE, NAMESPACE = "prod", "tamis"
# Oldest release the chart supports (Chart.yaml kubeVersion) and the newest the schemas know.
KUBE_VERSIONS = ["1.27.0", "1.37.0"]
CRD_GROUPS = ("keda.sh/", "monitoring.coreos.com/")
STAGES = ["ocr", "classify", "extract", "route"]
# The metric contract of the workers (issue 8); the dashboard and the alerts may use only these.
METRICS = {
    "tamis_stage_documents_total",
    "tamis_stage_duration_seconds",
    "tamis_stage_errors_total",
    "tamis_decisions_total",
    "tamis_type_confidence",
    "tamis_queue_messages",
    "tamis_stage_queue_lag_seconds",
    # The console's review series (issue 23).
    "tamis_review_oldest_age_seconds",
    "tamis_review_items",
}
# Metrics of other exporters the alerts rely on (Prometheus itself and kube-state-metrics).
FOREIGN_METRICS = {"up", "kube_deployment_status_replicas_available", "kube_pod_container_status_restarts_total"}
VALUES_SETS = [
    ("defaults", None),
    ("full", CHART / "ci" / "full-values.yaml"),
    ("minimal", CHART / "ci" / "minimal-values.yaml"),
    ("s3", CHART / "ci" / "s3-values.yaml"),
]


class CheckFailed(Exception):
    """A check found a problem; the message says what and where."""


@dataclass
class Result:
    name: str
    problems: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- rendering


def helm_binary() -> str | None:
    return shutil.which("helm")


def lint(chart: Path, values_file: Path | None) -> list[str]:
    """Strict lint; returns the problems (warnings count, as with `helm lint --strict`)."""
    if helm_binary():
        cmd = ["helm", "lint", "--strict", str(chart)] + (["-f", str(values_file)] if values_file else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        return [] if p.returncode == 0 else [f"helm lint: {p.stdout}{p.stderr}".strip()]
    import helm_python

    values = yaml.safe_load(values_file.read_text()) if values_file else None
    report = helm_python.lint(str(chart), values, strict=True, namespace=NAMESPACE, kube_version=f"v{KUBE_VERSIONS[0]}")
    problems = [f"lint {m['path']}: {m['error']}" for m in report.get("messages", []) if m.get("severity", 0) >= 2]
    problems += [f"lint: {e}" for e in report.get("errors", [])]
    return problems


def render(chart: Path, values_file: Path | None) -> dict[str, str]:
    """Template path -> rendered text, as `helm template` would install it."""
    if helm_binary():
        cmd = ["helm", "template", RELEASE, str(chart), "-n", NAMESPACE, "--kube-version", KUBE_VERSIONS[-1]]
        cmd += ["-f", str(values_file)] if values_file else []
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode:
            raise CheckFailed(f"helm template: {p.stderr.strip()}")
        out: dict[str, str] = {}
        for doc in re.split(r"^---\s*$", p.stdout, flags=re.M):
            m = re.search(r"^# Source: (.+)$", doc, flags=re.M)
            if m:
                out[m.group(1)] = out.get(m.group(1), "") + "\n---\n" + doc
        return out
    import helm_python

    values = yaml.safe_load(values_file.read_text()) if values_file else None
    try:
        with helm_python.Chart.load(str(chart)) as c:
            return c.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    except helm_python.HelmError as e:
        raise CheckFailed(f"render: {e}") from e


def objects(rendered: dict[str, str]) -> list[tuple[str, dict]]:
    """(template path, object) for every manifest; NOTES.txt is text, not a manifest."""
    out = []
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt"):
            continue
        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError as e:
            raise CheckFailed(f"{path} does not render to YAML: {e}") from e
        for doc in docs:
            if doc is None:
                continue
            if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
                raise CheckFailed(f"{path} renders a document that is not a Kubernetes object: {str(doc)[:80]}")
            out.append((path, doc))
    return out


def oid(path: str, obj: dict) -> str:
    return f"{obj['kind']}/{obj.get('metadata', {}).get('name', '?')} ({path})"


# ---------------------------------------------------------------- schema validation


def validate_schemas(objs: list[tuple[str, dict]], tools: Path) -> list[str]:
    problems, crds = [], []
    for path, obj in objs:
        if obj["apiVersion"].startswith(CRD_GROUPS):
            crds.append({"id": oid(path, obj), "object": obj})
            continue
        for version in KUBE_VERSIONS:
            try:
                kv.validate(obj, version, strict=True)
            except kv.ValidationError as e:
                where = "/".join(str(p) for p in e.path)
                problems.append(f"{oid(path, obj)} is invalid for Kubernetes {version} at {where}: {e.message}")
            except kv.SchemaNotFoundError as e:
                problems.append(f"{oid(path, obj)}: {e.message}")
    if crds:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(crds, f)
        try:
            # ES modules resolve packages from the script's own folder, so it runs beside them.
            script = tools / "crd-node" / "crd-validate.mjs"
            shutil.copyfile(HERE / "crd-validate.mjs", script)
            p = subprocess.run(["node", str(script), f.name], capture_output=True, text=True)
        finally:
            os.unlink(f.name)
        if p.returncode:
            problems += [line for line in (p.stdout + p.stderr).splitlines() if line.strip()] or ["crd-validate failed"]
    return problems


# ---------------------------------------------------------------- the chart's promises


def parse_quantity(q: str | int | float) -> float:
    """Kubernetes quantity -> float (bytes or cores)."""
    s = str(q)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
    for u, mult in units.items():
        if s.endswith(u):
            return float(s[: -len(u)]) * mult
    return float(s)


def labels_match(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def policy(objs: list[tuple[str, dict]], values: dict) -> list[str]:
    """The rules the chart promises, checked on rendered objects."""
    problems: list[str] = []
    by_kind: dict[str, list[dict]] = {}
    for _, o in objs:
        by_kind.setdefault(o["kind"], []).append(o)
    name = lambda o: o["metadata"]["name"]  # noqa: E731
    deployments = by_kind.get("Deployment", [])
    pods = [(name(d), d["spec"]["template"]) for d in deployments]
    pods += [(name(j), j["spec"]["template"]) for j in by_kind.get("Job", [])]
    pods += [(name(j), j["spec"]["jobTemplate"]["spec"]["template"]) for j in by_kind.get("CronJob", [])]
    prefix = values["broker"]["prefix"]
    mount_path = values["blobStore"]["mountPath"]
    rendered_names = {(o["kind"], name(o)) for _, o in objs}

    for d in deployments:
        sel = d["spec"]["selector"]["matchLabels"]
        if not labels_match(sel, d["spec"]["template"]["metadata"]["labels"]):
            problems.append(f"Deployment/{name(d)}: selector does not match its pod labels")
    for pname, tpl in pods:
        spec = tpl["spec"]
        psc = spec.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            problems.append(f"{pname}: pod securityContext.runAsNonRoot is not true")
        # The rest of what the Pod Security Standard "restricted" asks of a pod.
        if psc.get("seccompProfile", {}).get("type") not in {"RuntimeDefault", "Localhost"}:
            problems.append(f"{pname}: no RuntimeDefault seccomp profile")
        allowed = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
        for v in spec.get("volumes", []):
            if not set(v) - {"name"} <= allowed:
                problems.append(f"{pname}: volume {v['name']} is of a type the restricted standard refuses")
        if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
            problems.append(f"{pname}: shares a host namespace")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{pname}: mounts a service account token it never uses")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for c in spec["containers"]:
            where = f"{pname}/{c['name']}"
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True or sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: root filesystem not read-only or privilege escalation allowed")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []) or sc.get("capabilities", {}).get("add"):
                problems.append(f"{where}: capabilities do not drop ALL, or add some")
            if sc.get("privileged") or any("hostPort" in p for p in c.get("ports", [])):
                problems.append(f"{where}: privileged or binds a host port")
            res = c.get("resources", {})
            for kind in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in res.get(kind, {}):
                        problems.append(f"{where}: no {kind}.{r}")
            env = env_of(c)
            url = env.get("TAMIS_AMQP_URL", {})
            if "secretKeyRef" not in url.get("valueFrom", {}):
                problems.append(f"{where}: TAMIS_AMQP_URL does not come from a Secret")
            else:
                ref = url["valueFrom"]["secretKeyRef"]
                secrets = {name(s): s for s in by_kind.get("Secret", [])}
                expected = values["broker"]["existingSecret"] or None
                if ref["name"] in secrets:
                    if ref["key"] not in secrets[ref["name"]].get("stringData", {}):
                        problems.append(f"{where}: Secret {ref['name']} has no key {ref['key']}")
                elif ref["name"] != expected:
                    problems.append(f"{where}: Secret {ref['name']} is neither rendered nor broker.existingSecret")
            if env.get("OMP_THREAD_LIMIT", {}).get("value") != "1":
                problems.append(f"{where}: OMP_THREAD_LIMIT is not 1")
            blob = env.get("TAMIS_BLOB_URL", {}).get("value")
            mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
            if values["blobStore"].get("type") == "s3":
                # A bucket instead of the volume: its URL, no blob volume, keys only from the Secret.
                s3 = values["blobStore"]["s3"]
                want_url = f"s3://{s3['bucket']}/{s3['prefix'].strip('/')}".rstrip("/")
                if blob != want_url:
                    problems.append(f"{where}: blob store URL {blob!r} is not the bucket {want_url!r}")
                if mount_path in mounts or any("persistentVolumeClaim" in v for v in volumes.values()):
                    problems.append(f"{where}: mounts a blob volume although the store is a bucket")
                for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                    ref = env.get(key, {}).get("valueFrom", {}).get("secretKeyRef")
                    if s3["existingSecret"] and (ref or {}).get("name") != s3["existingSecret"]:
                        problems.append(f"{where}: {key} does not come from Secret {s3['existingSecret']}")
                    if "value" in env.get(key, {}):
                        problems.append(f"{where}: {key} is written in the manifest")
            elif blob != f"file://{mount_path}" or mount_path not in mounts:
                problems.append(f"{where}: blob store URL {blob!r} is not the shared volume mounted at {mount_path}")
            else:
                vol = volumes.get(mounts[mount_path]["name"], {})
                claim = vol.get("persistentVolumeClaim", {}).get("claimName")
                want = values["blobStore"]["persistence"]["existingClaim"] or f"{RELEASE}-tamis-blobs"
                if claim != want:
                    problems.append(f"{where}: blob volume is {vol}, not the shared claim {want}")
            if "/tmp" not in mounts:
                problems.append(f"{where}: no writable /tmp on a read-only root filesystem")
            for m in c.get("volumeMounts", []):
                if m["name"] not in volumes:
                    problems.append(f"{where}: mounts undefined volume {m['name']}")
        for v in volumes.values():
            cm = v.get("configMap", {}).get("name")
            if cm and ("ConfigMap", cm) not in rendered_names and cm != values["twoddocTrustList"]["existingConfigMap"]:
                problems.append(f"{pname}: volume {v['name']} names ConfigMap {cm}, which nothing provides")

    if values["blobStore"].get("type") == "s3" and by_kind.get("PersistentVolumeClaim"):
        problems.append("a PersistentVolumeClaim is rendered although the blob store is a bucket")
    purges = [j for j in by_kind.get("CronJob", []) if j["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0].get("args") == ["purge"]]
    if bool(purges) != bool(values["retention"]["purge"]["enabled"]):
        problems.append(f"{len(purges)} purge CronJobs rendered, retention.purge.enabled is {values['retention']['purge']['enabled']}")
    workers = [d for d in deployments if d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/component") == "worker"]
    enabled = [s for s in STAGES if values["stages"][s]["enabled"]]
    if sorted(name(d) for d in workers) != sorted(f"{RELEASE}-tamis-{s}" for s in enabled):
        problems.append(f"worker Deployments {[name(d) for d in workers]} are not one per enabled stage {enabled}")
    for d in workers:
        stage = d["spec"]["template"]["metadata"]["labels"]["tamis.io/stage"]
        tpl = d["spec"]["template"]
        c = tpl["spec"]["containers"][0]
        where = f"Deployment/{name(d)}"
        if c.get("args") != ["worker", stage]:
            problems.append(f"{where}: args {c.get('args')} do not run `tamis worker {stage}`")
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        if "ops" not in ports:
            problems.append(f"{where}: no container port named ops")
        elif env_of(c).get("TAMIS_HEALTH_ADDR", {}).get("value") != f"0.0.0.0:{ports['ops']}":
            problems.append(f"{where}: TAMIS_HEALTH_ADDR does not listen on the ops port {ports.get('ops')}")
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
            got = c.get(probe, {}).get("httpGet", {})
            if got.get("path") != path or got.get("port") != "ops":
                problems.append(f"{where}: {probe} is {got}, not GET {path} on port ops")
        grace = tpl["spec"].get("terminationGracePeriodSeconds", 30)
        if grace <= 30:
            problems.append(f"{where}: terminationGracePeriodSeconds {grace} leaves no time after the worker's own 30 s grace")
        if not any(k.startswith("checksum/config") for k in tpl["metadata"].get("annotations", {})):
            problems.append(f"{where}: pods do not roll when the ConfigMap changes (no checksum/config)")
        if values["keda"]["enabled"] == ("replicas" in d["spec"]):
            problems.append(f"{where}: replicas must be set without KEDA and left to KEDA's HPA with it")
        if stage == "ocr":
            engines = int(env_of(c)["TAMIS_OCR_ENGINES"]["value"])
            mem = parse_quantity(c["resources"]["limits"]["memory"]) / engines
            cpu = parse_quantity(c["resources"]["requests"]["cpu"]) / engines
            if mem >= 300 * 2**20:
                problems.append(f"{where}: memory limit per OCR engine {mem / 2**20:.0f}Mi is not under 300Mi")
            if not 0.75 <= cpu <= 1.5:
                problems.append(f"{where}: CPU request per OCR engine {cpu:.2f} is not about one core")

    pod_labels = [(n, t["metadata"]["labels"], t) for n, t in pods]
    for pdb in by_kind.get("PodDisruptionBudget", []):
        hits = [n for n, lab, _ in pod_labels if labels_match(pdb["spec"]["selector"]["matchLabels"], lab)]
        if len(hits) != 1:
            problems.append(f"PodDisruptionBudget/{name(pdb)} selects {hits}, not exactly one Deployment")
    for svc in by_kind.get("Service", []):
        hits = [t for _, lab, t in pod_labels if labels_match(svc["spec"].get("selector", {}), lab)]
        if not hits:
            problems.append(f"Service/{name(svc)} selects no pod")
        for port in svc["spec"]["ports"]:
            tp = port.get("targetPort")
            if isinstance(tp, str) and not all(any(p.get("name") == tp for c in t["spec"]["containers"] for p in c.get("ports", [])) for t in hits):
                problems.append(f"Service/{name(svc)}: targetPort {tp} is not a port of every selected pod")
    for ing in by_kind.get("Ingress", []):
        for rule in ing["spec"]["rules"]:
            for p in rule["http"]["paths"]:
                svc = p["backend"]["service"]
                match = [s for s in by_kind.get("Service", []) if name(s) == svc["name"]]
                if not match or not any(sp["name"] == svc["port"].get("name") for sp in match[0]["spec"]["ports"]):
                    problems.append(f"Ingress/{name(ing)}: backend {svc} is not a rendered Service port")
    for sm in by_kind.get("ServiceMonitor", []):
        svcs = [s for s in by_kind.get("Service", []) if labels_match(sm["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])]
        if len(svcs) != 1 or not any(p["name"] == "ops" for p in svcs[0]["spec"]["ports"]):
            problems.append(f"ServiceMonitor/{name(sm)} does not select exactly the workers' ops Service")
    for so in by_kind.get("ScaledObject", []):
        target = so["spec"]["scaleTargetRef"]["name"]
        if target not in {name(d) for d in workers}:
            problems.append(f"ScaledObject/{name(so)} scales {target}, which is not a worker Deployment")
        for t in so["spec"]["triggers"]:
            stage = target.rsplit("-", 1)[-1]
            if t["metadata"].get("queueName") != f"{prefix}.{stage}":
                problems.append(f"ScaledObject/{name(so)} watches {t['metadata'].get('queueName')}, not {prefix}.{stage}")
            auth = t.get("authenticationRef", {}).get("name")
            if ("TriggerAuthentication", auth) not in rendered_names:
                problems.append(f"ScaledObject/{name(so)}: TriggerAuthentication {auth} is not rendered")
    for cm in by_kind.get("ConfigMap", []):
        if name(cm).endswith("-config"):
            for f in ("taxonomy.toml", "policy.toml"):
                if not values["config"][f.split(".")[0]] and cm["data"].get(f, "").strip() != (ROOT / "config" / f).read_text().strip():
                    problems.append(f"ConfigMap/{name(cm)}: {f} differs from config/{f}")
        if name(cm).endswith("-dashboard"):
            for key, text in cm["data"].items():
                problems += [f"ConfigMap/{name(cm)} {key}: {p}" for p in dashboard_problems(text)]
    for rule in by_kind.get("PrometheusRule", []):
        problems += prometheus_rule_problems(rule)
    problems += network_policy_problems(by_kind, pod_labels, values)
    pvcs = by_kind.get("PersistentVolumeClaim", [])
    if pvcs and "ReadWriteMany" not in pvcs[0]["spec"]["accessModes"]:
        problems.append("the blob store claim is not ReadWriteMany although every stage reads it")
    return problems


def network_policy_problems(by_kind: dict[str, list[dict]], pod_labels: list, values: dict) -> list[str]:
    """Only the ingress controller reaches the console: one NetworkPolicy selects exactly its pods,
    admits only the configured peers, each narrowed by a selector, on the console's port only (and
    the configured scrapers on its ops port)."""
    problems: list[str] = []
    policies = by_kind.get("NetworkPolicy", [])
    console = [(n, t) for n, lab, t in pod_labels if lab.get("app.kubernetes.io/component") == "console"]
    for np in policies:
        n = np["metadata"]["name"]
        hits = [pn for pn, lab, _ in pod_labels if labels_match(np["spec"]["podSelector"].get("matchLabels", {}), lab)]
        if not hits:
            problems.append(f"NetworkPolicy/{n} selects no pod")
    c = values["console"]
    if not (c["enabled"] and c["networkPolicy"]["enabled"]):
        return problems
    mine = [np for np in policies if any(labels_match(np["spec"]["podSelector"].get("matchLabels", {}), t["metadata"]["labels"]) for _, t in console)]
    if len(mine) != 1 or not console:
        return problems + [f"console.networkPolicy.enabled, but {len(mine)} NetworkPolicies select the console pods (want 1)"]
    np = mine[0]
    where = f"NetworkPolicy/{np['metadata']['name']}"
    hits = [pn for pn, lab, _ in pod_labels if labels_match(np["spec"]["podSelector"]["matchLabels"], lab)]
    if hits != [pn for pn, _ in console]:
        problems.append(f"{where} selects {hits}, not only the console")
    if "Ingress" not in np["spec"].get("policyTypes", []):
        problems.append(f"{where}: policyTypes lacks Ingress, so it restricts nothing coming in")
    np_cfg = c["networkPolicy"]
    want_first = {k: v for k, v in (("namespaceSelector", np_cfg["ingressNamespaceSelector"]), ("podSelector", np_cfg["ingressPodSelector"])) if v}
    want = [want_first] + list(np_cfg.get("extraFrom") or [])
    ports = {p["name"]: p["containerPort"] for _, t in console for ct in t["spec"]["containers"] for p in ct.get("ports", [])}
    rules = np["spec"].get("ingress", [])
    if not rules:
        problems.append(f"{where} has no ingress rule: the console would be unreachable, even by the ingress")
    for rule in rules:
        peers = rule.get("from")
        if not peers:
            problems.append(f"{where}: an ingress rule without `from` admits every peer")
            continue
        # The ops port (/metrics, /healthz, /readyz) may admit the configured scrapers, nothing else.
        if [p.get("port") for p in rule.get("ports") or [{}]] in (["ops"], [ports.get("ops")]):
            if peers != list(np_cfg.get("metricsFrom") or []):
                problems.append(f"{where}: ops port peers {peers} are not console.networkPolicy.metricsFrom")
            for peer in peers:
                if "ipBlock" in peer or not (peer.get("namespaceSelector") or peer.get("podSelector")):
                    problems.append(f"{where}: ops peer {peer} is not narrowed by a namespace or pod selector")
            continue
        for peer in peers:
            if "ipBlock" in peer or not (peer.get("namespaceSelector") or peer.get("podSelector")):
                problems.append(f"{where}: peer {peer} is not narrowed by a namespace or pod selector")
            elif "namespaceSelector" in peer and not any(peer["namespaceSelector"].get(k) for k in ("matchLabels", "matchExpressions")):
                problems.append(f"{where}: peer {peer} admits every namespace")
        if peers != want:
            problems.append(f"{where}: peers {peers} are not the configured ones {want}")
        for p in rule.get("ports") or [{}]:
            if p.get("port") not in ("http", ports.get("http")):
                problems.append(f"{where}: admits port {p.get('port')!r}, not only the console's http port")
    return problems


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression (labels, functions and keywords left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\$\{?\w+\}?", "", expr)  # Grafana variables ($__rate_interval)
    expr = re.sub(r"\{[^}]*\}", "{}", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    words = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expr))
    keywords = {"and", "or", "unless", "offset", "bool", "le", "inf", "nan", "e"}
    out = set()
    for w in words - keywords:
        if re.fullmatch(r"\d.*|[0-9e.+-]+", w):
            continue
        out.add(re.sub(r"_(bucket|sum|count)$", "", w) if w.startswith("tamis_") else w)
    return out


def unknown_metrics(expr: str) -> set[str]:
    return {m for m in metric_names(expr) if m not in METRICS and m not in FOREIGN_METRICS}


def dashboard_problems(text: str) -> list[str]:
    try:
        dash = json.loads(text)
    except json.JSONDecodeError as e:
        return [f"not JSON: {e}"]
    problems, ids = [], set()
    for p in dash.get("panels", []):
        if p["id"] in ids:
            problems.append(f"panel id {p['id']} used twice")
        ids.add(p["id"])
        for t in p.get("targets", []):
            if unknown := unknown_metrics(t["expr"]):
                problems.append(f"panel {p['title']!r} queries metrics outside the contract: {sorted(unknown)}")
    if not ids:
        problems.append("no panels")
    return problems


def prometheus_rule_problems(rule: dict) -> list[str]:
    problems = []
    runbook = (ROOT / "docs" / "runbook.md").read_text() if (ROOT / "docs" / "runbook.md").exists() else ""
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", runbook, flags=re.M)}
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            a = r.get("alert", "?")
            if unknown := unknown_metrics(r["expr"]):
                problems.append(f"alert {a} uses metrics outside the contract: {sorted(unknown)}")
            if r["expr"].count("(") != r["expr"].count(")"):
                problems.append(f"alert {a}: unbalanced parentheses in {r['expr']!r}")
            if r.get("labels", {}).get("severity") not in {"critical", "warning", "info"}:
                problems.append(f"alert {a}: severity must be critical, warning or info")
            url = r.get("annotations", {}).get("runbook_url", "")
            anchor = url.rsplit("#", 1)[-1]
            if anchor != a.lower() or anchor not in anchors:
                problems.append(f"alert {a}: runbook_url {url!r} does not point at a '{a}' section of docs/runbook.md")
    return problems


# ---------------------------------------------------------------- driver


def merged_values(chart: Path, values_file: Path | None) -> dict:
    base = yaml.safe_load((chart / "values.yaml").read_text())
    if values_file:
        deep_merge(base, yaml.safe_load(values_file.read_text()))
    return base


def deep_merge(into: dict, over: dict) -> None:
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            deep_merge(into[k], v)
        else:
            into[k] = v


def promtool(tools: Path) -> str:
    return shutil.which("promtool") or str(tools / "promtool" / "promtool")


def alert_rules(objs: list[tuple[str, dict]], chart: Path, values_file: Path | None, tools: Path, unit_tests: bool) -> list[str]:
    """`promtool check rules` on every PrometheusRule; with the full values set, the unit tests of
    ci/alert-tests.yaml too, and every alert must have a test in which it fires."""
    problems = []
    for path, rule in objs:
        if rule["kind"] != "PrometheusRule":
            continue
        with tempfile.TemporaryDirectory() as tmp:
            rules = Path(tmp) / "rules.yaml"
            rules.write_text(yaml.safe_dump(rule["spec"]))
            p = subprocess.run([promtool(tools), "check", "rules", str(rules)], capture_output=True, text=True)
            if p.returncode:
                problems.append(f"promtool check rules {oid(path, rule)}: {(p.stdout + p.stderr).strip()}")
                continue
            if not unit_tests or values_file is None or values_file.name != "full-values.yaml":
                continue
            spec = copy.deepcopy(rule["spec"])
            alerts = set()
            for g in spec["groups"]:
                for r in g["rules"]:
                    r.pop("annotations", None)
                    alerts.add(r["alert"])
            rules.write_text(yaml.safe_dump(spec))
            tests_file = chart / "ci" / "alert-tests.yaml"
            shutil.copyfile(tests_file, Path(tmp) / "alert-tests.yaml")
            p = subprocess.run([promtool(tools), "test", "rules", "alert-tests.yaml"], capture_output=True, text=True, cwd=tmp)
            if p.returncode:
                problems.append(f"promtool test rules ci/alert-tests.yaml: {(p.stdout + p.stderr).strip()}")
            tested = {
                t["alertname"]
                for test in yaml.safe_load(tests_file.read_text())["tests"]
                for t in test.get("alert_rule_test", [])
                if t.get("exp_alerts")
            }
            if untested := sorted(alerts - tested):
                problems.append(f"alerts without a test in ci/alert-tests.yaml where they fire: {untested}")
    return problems


def check_chart(chart: Path, values_file: Path | None, tools: Path, unit_tests: bool = True) -> list[str]:
    problems = lint(chart, values_file)
    objs = objects(render(chart, values_file))
    problems += validate_schemas(objs, tools)
    problems += alert_rules(objs, chart, values_file, tools, unit_tests)
    try:
        problems += policy(objs, merged_values(chart, values_file))
    except (KeyError, TypeError, ValueError, IndexError) as e:
        # Objects the schemas rejected may not have the shape the rules expect.
        problems.append(f"policy checks could not run on this rendering: {type(e).__name__}: {e}")
    return problems


def check_files_in_sync() -> list[str]:
    return [
        f"helm/tamis/files/{f} differs from config/{f}: run scripts/helm-check --sync-config"
        for f in ("taxonomy.toml", "policy.toml")
        if (CHART / "files" / f).read_bytes() != (ROOT / "config" / f).read_bytes()
    ]


def metrics_exported() -> tuple[list[str], str]:
    """The contract's metrics must be the ones shared/src/metrics.rs registers (counters without _total)."""
    source = ROOT / "shared" / "src" / "metrics.rs"
    if not source.exists():
        return [], " (shared/src/metrics.rs not there yet: not compared)"
    registered = set(re.findall(r'"(tamis_[a-z_]+)"', source.read_text()))
    missing = sorted(m for m in METRICS if m.removesuffix("_total") not in registered)
    return [f"{m} is used by the dashboard or alerts but shared/src/metrics.rs does not register it" for m in missing], ""


def hadolint(tools: Path) -> list[str]:
    dockerfile = ROOT / "Dockerfile"
    if not dockerfile.exists():
        return ["no Dockerfile at the repository root"]
    p = subprocess.run([str(tools / "helm-venv" / "bin" / "hadolint"), "--failure-threshold", "warning", str(dockerfile)], capture_output=True, text=True)
    return [] if p.returncode == 0 else [f"hadolint: {line}" for line in (p.stdout + p.stderr).splitlines()]


# Each break must make check_chart report a problem (or fail to render), rendered with the
# full values set unless it names another. (name, file, old, new[, values file])
BREAKS = [
    ("template syntax error", "templates/workers.yaml", "{{- if $cfg.enabled }}", "{{- if $cfg.enabled }}{{ if }}"),
    ("misspelled field (strict schema)", "templates/workers.yaml", "readinessProbe:", "readinesProbe:"),
    ("wrong value type (Kubernetes schema)", "templates/workers.yaml", "revisionHistoryLimit: 5", 'revisionHistoryLimit: "five"'),
    ("wrong value type (values.schema.json)", "values.yaml", "terminationGracePeriodSeconds: 45", 'terminationGracePeriodSeconds: "45s"'),
    ("probe on a port that is not ops (policy)", "templates/workers.yaml", "httpGet: {path: /readyz, port: ops}", "httpGet: {path: /readyz, port: metrics}"),
    ("OCR memory over 300Mi per engine (policy)", "values.yaml", "limits: {cpu: \"2\", memory: 592Mi}", "limits: {cpu: \"2\", memory: 1Gi}", None),
    ("ScaledObject field of the wrong type (CRD schema)", "templates/keda.yaml", "minReplicaCount: {{ $cfg.autoscaling.minReplicas }}", "minReplicaCount: {{ $cfg.autoscaling.minReplicas | quote }}"),
    ("ServiceMonitor interval not a duration (CRD schema)", "templates/servicemonitor.yaml", "interval: {{ .Values.serviceMonitor.interval }}", "interval: every-30s"),
    ("alert rule that is not PromQL (promtool check)", "templates/prometheusrule.yaml", "> {{ $t.queueBacklog }}", ">> {{ $t.queueBacklog }}"),
    ("alert waiting longer than its test expects (promtool test)", "templates/prometheusrule.yaml", "          for: 15m", "          for: 45m"),
    ("misspelled values key (values.schema.json)", "values.yaml", "    engines: 2", "    engine: 2", None),
    ("NetworkPolicy that selects the workers, not the console (policy)", "templates/networkpolicy.yaml", "      app.kubernetes.io/component: console\n  policyTypes", "      app.kubernetes.io/component: worker\n  policyTypes"),
    ("NetworkPolicy that admits every namespace (policy)", "values.yaml", "ingressNamespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}", "ingressNamespaceSelector: {matchLabels: {}}", None),
    ("NetworkPolicy open on every port (policy)", "templates/networkpolicy.yaml", "      ports:\n        - port: http\n          protocol: TCP\n", ""),
    ("config copy drifts from config/ (policy)", "files/policy.toml", "type_threshold = 0.90", "type_threshold = 0.10"),
]


def self_test(tools: Path) -> list[str]:
    """Breaks copies of the chart; every break must be caught."""
    problems = []
    for label, rel, old, new, *values in BREAKS:
        values_file = values[0] if values else CHART / "ci" / "full-values.yaml"
        with tempfile.TemporaryDirectory() as tmp:
            chart = Path(tmp) / "tamis"
            shutil.copytree(CHART, chart)
            f = chart / rel
            text = f.read_text()
            if old not in text:
                problems.append(f"self-test '{label}': {rel} no longer contains {old!r}; update BREAKS")
                continue
            f.write_text(text.replace(old, new, 1))
            try:
                # The alert unit tests take seconds: only breaks of the rules need them.
                found = check_chart(chart, values_file, tools, unit_tests=rel.endswith("prometheusrule.yaml"))
            except CheckFailed as e:
                found = [str(e)]
            if not found:
                problems.append(f"self-test '{label}': the broken chart passed every check")
            else:
                print(f"  caught {label}: {found[0][:150]}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tools", type=Path, required=True)
    ap.add_argument("--no-self-test", action="store_true")
    args = ap.parse_args()
    print(f"helm-check: {'helm ' + helm_binary() if helm_binary() else 'helm-python-sdk (Helm v4 Go SDK)'}; Kubernetes schemas {', '.join(KUBE_VERSIONS)}")
    results = [Result("chart files equal config/", check_files_in_sync())]
    for label, values_file in VALUES_SETS:
        try:
            results.append(Result(f"values set {label}", check_chart(CHART, values_file, args.tools)))
        except CheckFailed as e:
            results.append(Result(f"values set {label}", [str(e)]))
    problems, note = metrics_exported()
    results.append(Result(f"metric names match the workers'{note}", problems))
    results.append(Result("Dockerfile (hadolint)", hadolint(args.tools)))
    if not args.no_self_test:
        results.append(Result("self-test: broken charts are caught", self_test(args.tools)))
    for r in results:
        print(f"{'ok  ' if not r.problems else 'FAIL'} {r.name}")
        for p in r.problems:
            print(f"       {p}")
    failed = sum(1 for r in results if r.problems)
    print(f"helm-check: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
