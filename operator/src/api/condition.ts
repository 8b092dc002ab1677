import { z } from "zod";

/** metav1.Condition, as Kubernetes API conventions define it. */
export const conditionSchema = z
  .object({
    type: z
      .string()
      .max(316)
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
      .describe("Type of condition in CamelCase."),
    status: z.enum(["True", "False", "Unknown"]).describe("Status of the condition."),
    observedGeneration: z.number().int().gte(0).optional().describe("The .metadata.generation the condition was set for."),
    lastTransitionTime: z.string().meta({ format: "date-time" }).describe("When the condition last changed status."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe("Programmatic identifier of the last transition, in CamelCase."),
    message: z.string().max(32768).describe("Human-readable details of the last transition."),
  })
  .strict();

export type Condition = z.output<typeof conditionSchema>;
