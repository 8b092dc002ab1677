import { readFileSync } from "node:fs";
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { pollUntil } from "../poll.js";

/** A path to a (multi-document) YAML file of CRDs, or one CRD object as it appears on the wire
 *  (keys such as `x-kubernetes-validations`, not client-node's model names). */
export type CrdSource = string | KubernetesObject;

const FIELD_MANAGER = "modelguard-test-harness";

/** Reads every CustomResourceDefinition out of the sources; anything else is an error.
 *  Each document then goes through client-node's own loader (`loadYaml`) on purpose: every API
 *  call serializes a built-in kind by its model (`x_kubernetes_validations` → wire name), so a
 *  plain wire-format object would silently lose `x-kubernetes-validations`,
 *  `x-kubernetes-preserve-unknown-fields` and `$ref` on the way out. */
export function readCrds(sources: readonly CrdSource[]): V1CustomResourceDefinition[] {
  const crds: V1CustomResourceDefinition[] = [];
  for (const source of sources) {
    const docs: unknown[] =
      typeof source === "string"
        ? parseAllDocuments(readFileSync(source, "utf8")).map((doc) => {
            if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`);
            return doc.toJS() as unknown;
          })
        : [source];
    for (const doc of docs) {
      if (doc === null || doc === undefined) continue; // empty document, e.g. a trailing ---
      const obj = doc as KubernetesObject;
      if (obj.kind !== "CustomResourceDefinition" || obj.metadata?.name === undefined) {
        const from = typeof source === "string" ? source : "an object";
        throw new Error(`${from} holds a ${String(obj.kind)} ${String(obj.metadata?.name)}, not a CustomResourceDefinition`);
      }
      crds.push(loadYaml<V1CustomResourceDefinition>(JSON.stringify(obj)));
    }
  }
  return crds;
}

function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
}

/** Server-side applies the CRDs, then waits until each is Established and every served
 *  version shows up in discovery (clients resolve kinds through discovery). */
export async function applyCrds(kc: KubeConfig, sources: readonly CrdSource[], timeoutMs: number): Promise<string[]> {
  const crds = readCrds(sources);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await Promise.all(
    crds.map((crd) => objects.patch(crd, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply)),
  );
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const deadline = Date.now() + timeoutMs;
  const names = crds.map((crd) => crd.metadata?.name ?? "");
  for (const crd of crds) {
    const name = crd.metadata?.name ?? "";
    const left = (): number => Math.max(deadline - Date.now(), 1);
    await pollUntil(
      async () => (isEstablished(await ext.readCustomResourceDefinition({ name })) ? true : undefined),
      { timeoutMs: left(), what: `CRD ${name} Established` },
    );
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      await pollUntil(
        async () => {
          const list = await custom.getAPIResources({ group: crd.spec.group, version: version.name });
          return list.resources.some((r) => r.name === crd.spec.names.plural) ? true : undefined;
        },
        { timeoutMs: left(), what: `${crd.spec.names.plural}.${crd.spec.group}/${version.name} in discovery` },
      );
    }
  }
  return names;
}
