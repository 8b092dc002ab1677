import { z } from "zod";
import { policySpecSchema, policyStatusSchema } from "../api/policy.js";
import { GROUP, KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from "../api/constants.js";
import { RESTRICTION_KIND, RESTRICTION_PLURAL, RESTRICTION_SHORT_NAMES, RESTRICTION_SINGULAR, restrictionSpecSchema } from "../api/client-restriction.js";
import { toStructural, type SchemaNode } from "./structural.js";

function jsonSchemaOf(schema: z.ZodType): SchemaNode {
  const raw = z.toJSONSchema(schema, { target: "openapi-3.0", io: "input", unrepresentable: "throw" }) as SchemaNode;
  return toStructural(raw);
}

const conditionColumn = (type: string) => ({
  name: type,
  type: "string",
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
  description: `Status of the ${type} condition.`,
});

interface CrdParts {
  names: { kind: string; plural: string; singular: string; shortNames: readonly string[] };
  description: string;
  properties: Record<string, SchemaNode>;
  validations?: Record<string, unknown>[];
  printerColumns: Record<string, unknown>[];
  /** The status subresource, for kinds that have a status. */
  status: boolean;
}

/** One namespaced, single-version CustomResourceDefinition of group modelguard.dev. */
function buildCrd(p: CrdParts): Record<string, unknown> {
  const { kind, plural, singular, shortNames } = p.names;
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${plural}.${GROUP}`,
      labels: { "app.kubernetes.io/name": "modelguard", "app.kubernetes.io/part-of": "modelguard" },
    },
    spec: {
      group: GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular, shortNames: [...shortNames], categories: ["modelguard"] },
      scope: "Namespaced",
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(p.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: p.printerColumns,
          schema: {
            openAPIV3Schema: {
              description: p.description,
              type: "object",
              required: ["spec"],
              properties: {
                apiVersion: { description: "APIVersion of this object.", type: "string" },
                kind: { description: "Kind of this object.", type: "string" },
                metadata: { type: "object" },
                ...p.properties,
              },
              ...(p.validations ? { "x-kubernetes-validations": p.validations } : {}),
            },
          },
        },
      ],
    },
  };
}

const ageColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

/** The CustomResourceDefinition for ModelEndpointPolicy, generated from the zod schemas. */
export function buildPolicyCrd(): Record<string, unknown> {
  return buildCrd({
    names: { kind: KIND, plural: PLURAL, singular: SINGULAR, shortNames: SHORT_NAMES },
    description:
      "ModelEndpointPolicy protects the model Deployments annotated `modelguard.dev/policy: <name>` in its namespace: mTLS, JWT and API-key authentication, per-model authorization, quotas, payload validation, model-extraction detection and response hardening, enforced in each pod's Envoy sidecar.",
    properties: { spec: jsonSchemaOf(policySpecSchema), status: jsonSchemaOf(policyStatusSchema) },
    validations: [
      {
        rule: "self.metadata.name.size() <= 63",
        message: "metadata.name must be at most 63 characters: it is used as a label value",
      },
    ],
    printerColumns: [
      conditionColumn("Accepted"),
      conditionColumn("Programmed"),
      { name: "Targets", type: "integer", jsonPath: ".status.targetCount", description: "Deployments protected." },
      ageColumn,
    ],
    status: true,
  });
}

const specColumn = (name: string, type: string, path: string, description: string) => ({ name, type, jsonPath: `.spec.${path}`, description });

/** The CustomResourceDefinition for ClientRestriction (no status: the object is the record). */
export function buildRestrictionCrd(): Record<string, unknown> {
  return buildCrd({
    names: { kind: RESTRICTION_KIND, plural: RESTRICTION_PLURAL, singular: RESTRICTION_SINGULAR, shortNames: RESTRICTION_SHORT_NAMES },
    description:
      "ClientRestriction throttles or blocks one client of one ModelEndpointPolicy until it expires. The operator's detector creates them (source Detector); administrators may create or delete them with kubectl. The operator puts unexpired ones into the policy's filter configuration and deletes expired ones.",
    properties: { spec: jsonSchemaOf(restrictionSpecSchema) },
    printerColumns: [
      specColumn("Policy", "string", "policyName", "The policy whose sidecars enforce it."),
      specColumn("Client", "string", "client", "The restricted client."),
      specColumn("Action", "string", "action", "Throttle or Block."),
      specColumn("Expires", "date", "expiresAt", "When it stops applying."),
      specColumn("Source", "string", "source", "Detector or Manual."),
      ageColumn,
    ],
    status: false,
  });
}
