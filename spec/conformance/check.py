#!/usr/bin/python3
"""Second, independent checker of the Orbitalis conformance vectors, in Python.

It reads the JSON Schemas straight from the AsyncAPI spec (no generated code) and
validates every vector with the `jsonschema` package (Draft 7, the default schema format of
AsyncAPI 3), choosing the schema by the message's own `kind`, exactly as the TypeScript
runtime does. It prints one JSON object: {"results": [{"file", "valid", "errors"}]}.

Usage: /usr/bin/python3 spec/conformance/check.py [SPEC] [VECTORS_DIR]
Needs Debian's python3-jsonschema and python3-yaml.
"""
import json
import os
import sys

import jsonschema
import yaml

REF_PREFIX = "#/components/schemas/"


def rewrite_refs(node):
    """Point component refs at a local `definitions` section."""
    if isinstance(node, list):
        return [rewrite_refs(n) for n in node]
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF_PREFIX):
                out[key] = "#/definitions/" + value[len(REF_PREFIX):]
            else:
                out[key] = rewrite_refs(value)
        return out
    return node


def load_validators(spec_path):
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    components = spec["components"]
    definitions = rewrite_refs(components["schemas"])
    validators = {}
    for key, message in components["messages"].items():
        kind = message.get("name", key)
        schema_name = message["payload"]["$ref"][len(REF_PREFIX):]
        schema = {"$ref": "#/definitions/" + schema_name, "definitions": definitions}
        jsonschema.Draft7Validator.check_schema(schema)
        validators[kind] = jsonschema.Draft7Validator(schema)
    return validators


def check(validators, message):
    if not isinstance(message, dict):
        return ["/: must be a JSON object"]
    kind = message.get("kind")
    if not isinstance(kind, str) or kind not in validators:
        return ["/kind: must be one of " + ", ".join(validators)]
    errors = []
    for error in validators[kind].iter_errors(message):
        path = "/" + "/".join(str(p) for p in error.absolute_path)
        errors.append(path + ": " + error.message[:200])
    return errors


def main(argv):
    root = os.path.dirname(os.path.abspath(__file__))
    spec_path = argv[1] if len(argv) > 1 else os.path.join(root, "..", "orbitalis.asyncapi.yaml")
    vectors_dir = argv[2] if len(argv) > 2 else root
    validators = load_validators(spec_path)
    results = []
    for dirpath, _dirs, files in sorted(os.walk(vectors_dir)):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                vector = json.load(f)
            errors = check(validators, vector["message"])
            results.append({
                "file": os.path.relpath(path, vectors_dir).replace(os.sep, "/"),
                "valid": not errors,
                "errors": errors,
            })
    json.dump({"results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
