/**
 * What the greeter lends, shared by both processes: the JSON Schemas the runtime checks
 * data against, and the contract type the compiler checks code against.
 */
import type { SchemaSpec } from "orbitalis";

/** Input of `greet`. */
export const Person = {
  type: "object",
  properties: { name: { type: "string", minLength: 1 } },
  required: ["name"],
  additionalProperties: false,
} as const;

/** Output of `greet`. */
export const Greeting = {
  type: "object",
  properties: { text: { type: "string" } },
  required: ["text"],
  additionalProperties: false,
} as const;

export const PersonSpec: SchemaSpec = { schemas: [Person] };
export const GreetingSpec: SchemaSpec = { schemas: [Greeting] };

/** The contract: operation name -> input and output types. */
export type Greeter = {
  greet: { input: { name: string }; output: { text: string } };
};
