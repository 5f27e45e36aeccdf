/**
 * `npm run demo`: a tour of the Orbitalis protocol, read from the spec.
 */
import { loadSpec } from "../generator/load-spec.js";
import { buildProtocolModel } from "../generator/protocol-model.js";
import { describeProtocol } from "./protocol-tour.js";

const model = buildProtocolModel(
  await loadSpec(new URL("../spec/orbitalis.asyncapi.yaml", import.meta.url).pathname),
);
console.log(describeProtocol(model).join("\n"));
