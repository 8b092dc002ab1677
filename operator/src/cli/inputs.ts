import { KIND } from "../api/constants.js";
import { deploymentSchema, secretSchema, type Deployment, type Secret } from "../translate/inputs.js";
import { describe, kindOf, ManifestError, type Manifest } from "./manifests.js";

/** Manifests sorted into what the translator takes. */
export interface TranslatorInputs {
  policies: Manifest[];
  deployments: Deployment[];
  secrets: Secret[];
  /** Documents of other kinds, reported and otherwise ignored. */
  ignored: Manifest[];
}

/** Sorts manifests by kind; with `defaultNamespace`, policies, Deployments and Secrets that name no
 *  namespace land in it (as `kubectl apply -n` would put them). */
export function sortInputs(manifests: readonly Manifest[], defaultNamespace?: string): TranslatorInputs {
  const res: TranslatorInputs = { policies: [], deployments: [], secrets: [], ignored: [] };
  const place = <T extends { metadata: { namespace?: string } }>(o: T): T =>
    defaultNamespace === undefined ? o : withDefaultNamespace(o, defaultNamespace);
  for (const m of manifests) {
    switch (kindOf(m)) {
      case KIND: {
        const meta = m.object.metadata;
        // A policy without a metadata object is left alone: the schema reports it.
        const placed = typeof meta === "object" && meta !== null && !Array.isArray(meta);
        res.policies.push(placed ? { ...m, object: place(m.object as { metadata: { namespace?: string } }) } : m);
        break;
      }
      case "Deployment": {
        const d = deploymentSchema.safeParse(m.object);
        if (!d.success) throw new ManifestError(`${describe(m)}: not a valid apps/v1 Deployment`);
        res.deployments.push(place(d.data));
        break;
      }
      case "Secret": {
        const s = secretSchema.safeParse(m.object);
        if (!s.success) throw new ManifestError(`${describe(m)}: not a valid v1 Secret`);
        res.secrets.push(place(s.data));
        break;
      }
      default:
        res.ignored.push(m);
    }
  }
  return res;
}

/** The namespace a manifest lands in when it names none. */
export function withDefaultNamespace<T extends { metadata: { namespace?: string } }>(obj: T, ns: string): T {
  return obj.metadata.namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace: ns } };
}
