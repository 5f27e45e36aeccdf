import { describe, expect, it } from "vitest";
import { loadSpec } from "../../generator/load/load-spec.js";
import { buildProtocolModel } from "../../generator/model/protocol-model.js";

const SPEC = "spec/orbitalis.asyncapi.yaml";

// The message kinds and channels of DESIGN.md section 3: the spec must define exactly these.
const EXPECTED: Record<string, { channel: string; address: string }> = {
  discover: { channel: "discover", address: "{root}/discover" },
  announce: { channel: "announce", address: "{root}/announce" },
  offer: { channel: "offer", address: "{root}/core/{core}/offer" },
  request: { channel: "reply", address: "{root}/plugin/{plugin}/reply" },
  reject: { channel: "reply", address: "{root}/plugin/{plugin}/reply" },
  confirm: { channel: "response", address: "{root}/core/{core}/response" },
  unavailable: { channel: "response", address: "{root}/core/{core}/response" },
  keepalive: { channel: "keepalive", address: "{root}/orb/{orb}/keepalive" },
  "keepalive-request": { channel: "keepalive", address: "{root}/orb/{orb}/keepalive" },
  "status-request": { channel: "status", address: "{root}/orb/{orb}/status" },
  status: { channel: "statusReply", address: "{root}/orb/{orb}/status-reply" },
  close: { channel: "close", address: "{root}/orb/{orb}/close" },
  "close-ack": { channel: "close", address: "{root}/orb/{orb}/close" },
  presence: { channel: "presence", address: "{root}/presence/{orb}" },
  input: { channel: "input", address: "{root}/plugin/{plugin}/op/{operation}/in/{core}" },
  output: { channel: "output", address: "{root}/core/{core}/op/{operation}/out/{plugin}" },
  error: { channel: "output", address: "{root}/core/{core}/op/{operation}/out/{plugin}" },
};

describe("protocol spec", () => {
  it("parses with @asyncapi/parser with no error diagnostics", async () => {
    const spec = await loadSpec(SPEC);
    expect(spec.document.version()).toMatch(/^3\.0\./);
    expect(spec.notes.filter((n) => n.startsWith("error"))).toEqual([]);
  });

  it("defines every message kind of the protocol on its channel", async () => {
    const model = buildProtocolModel(await loadSpec(SPEC));
    expect(model.messages.map((m) => m.kind).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const message of model.messages) {
      const expected = EXPECTED[message.kind]!;
      expect(message.channels, message.kind).toEqual([expected.channel]);
      const channel = model.channels.find((c) => c.name === expected.channel)!;
      expect(channel.address, message.kind).toBe(expected.address);
    }
    expect(model.defaultRoot).toBe("orbitalis");
  });

  it("describes every channel from both sides (a send and a receive operation)", async () => {
    const model = buildProtocolModel(await loadSpec(SPEC));
    for (const channel of model.channels) {
      expect(channel.senders.length, `${channel.name} senders`).toBeGreaterThan(0);
      expect(channel.receivers.length, `${channel.name} receivers`).toBeGreaterThan(0);
    }
  });

  it("gives every message schema the shared envelope, meta, and an open shape (VER-2)", async () => {
    const model = buildProtocolModel(await loadSpec(SPEC));
    for (const message of model.messages) {
      const schema = model.definitions[message.schemaName] as Record<string, unknown>;
      // Open: a field a later minor revision adds is accepted and ignored.
      expect(schema.additionalProperties, message.kind).toBeUndefined();
      expect(schema.required, message.kind).toEqual(
        expect.arrayContaining(["v", "kind", "id", "from", "epoch", "ts"]),
      );
      expect((schema.properties as Record<string, unknown>).meta, message.kind).toEqual({
        $ref: "#/definitions/Meta",
      });
    }
    // What a receiver must understand to act safely stays closed (VER-2): schema specs and
    // the signature.
    for (const name of ["Signature", "SchemaEntry"]) {
      expect((model.definitions[name] as Record<string, unknown>).additionalProperties, name).toBe(false);
    }
  });
});
