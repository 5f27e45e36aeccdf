#!/usr/bin/python3
"""Second, independent checker of the Orbitalis conformance vectors, in Python.

It reads the JSON Schemas straight from the AsyncAPI spec (no generated code) and
validates every vector with the `jsonschema` package (Draft 7, the default schema format of
AsyncAPI 3), choosing the schema by the message's own `kind`, exactly as the TypeScript
runtime does.

It also recomputes, independently of the runtime, the known-answer vectors of
`VECTORS_DIR/vectors/` (what is not a schema): RFC 8785 canonical JSON and HMAC-SHA256
signatures (hmac.json), schema fingerprints (fingerprint.json), schema spec matching and
data-vs-spec verdicts (matching.json). That folder is not read as message vectors.

It prints one JSON object: {"results": [{"file", "valid", "errors"}],
"vectors": [{"file", "group", "name", "ok", "error"}]}.

Usage: /usr/bin/python3 spec/conformance/check.py [SPEC] [VECTORS_DIR]
Needs Debian's python3-jsonschema and python3-yaml.
"""
import base64
import hashlib
import hmac
import json
import math
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


# ---------------------------------------------------------------- known-answer vectors

KNOWN_ANSWERS = "vectors"
ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def es_number(x):
    """ECMAScript Number::toString of a double (RFC 8785 section 3.2.2.3)."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and Infinity have no JSON form")
    if x == 0:
        return "0"  # -0 too
    if x < 0:
        return "-" + es_number(-x)
    # repr() gives the shortest digits that round-trip (the closest such, as ECMAScript asks).
    mantissa, _, exp = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    stripped = digits.lstrip("0")
    # x = 0.DIGITS * 10**n with DIGITS = s (k digits, no leading or trailing zeros)
    n = len(whole) - (len(digits) - len(stripped)) + (int(exp) if exp else 0)
    s = stripped.rstrip("0")
    k = len(s)
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + s
    e = n - 1
    return (s if k == 1 else s[0] + "." + s[1:]) + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def jcs_string(text):
    for ch in text:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise ValueError("a lone surrogate is not Unicode (I-JSON, RFC 8785)")
    out = []
    for ch in text:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def jcs(value):
    """RFC 8785 canonical JSON of a parsed value, as a str (its UTF-8 bytes are signed)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        # Every JSON number is a double: an integer is the double nearest to it.
        return es_number(float(value))
    if isinstance(value, float):
        return es_number(value)
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        for key in value:
            jcs_string(key)  # rejects lone surrogates before sorting
        # Member names sort by UTF-16 code units (big-endian bytes compare the same way).
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(jcs_string(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise ValueError("not a JSON value: %r" % (value,))


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hmac_b64url(key, text):
    mac = hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def expect(what, got, wanted):
    if got != wanted:
        raise AssertionError("%s: expected %s, computed %s" % (what, json.dumps(wanted), json.dumps(got)))


def check_hmac_case(case):
    key = bytes.fromhex(case["keyHex"])
    if "key" in case:
        expect("keyHex (UTF-8 of key)", key.hex(), case["key"].encode("utf-8").hex())
    canonical = jcs(case["message"])
    expect("canonical", canonical, case["canonical"])
    if "messageText" in case:
        expect("canonical of messageText", jcs(json.loads(case["messageText"])), case["canonical"])
    if "sig" in case["message"]:
        raise AssertionError("the message must not hold sig")
    expect("sig", {"kid": case["kid"], "mac": hmac_b64url(key, canonical)}, case["sig"])


def check_fingerprint_case(case, cases):
    canonical = jcs(case["schema"])
    expect("canonical", canonical, case["canonical"])
    if "schemaText" in case:
        expect("canonical of schemaText", jcs(json.loads(case["schemaText"])), case["canonical"])
    expect("fingerprint", sha256_hex(canonical), case["fingerprint"])
    if "sameAs" in case:
        other = [c for c in cases if c["name"] == case["sameAs"]]
        expect("sameAs " + case["sameAs"], [sha256_hex(jcs(c["schema"])) for c in other], [case["fingerprint"]])


def spec_fingerprints(spec):
    """The spec's fingerprints, each checked against its schema."""
    if spec == "none":
        return set()
    found = set()
    for entry in spec.get("schemas", []):
        expect("fingerprint of a schema", sha256_hex(jcs(entry["schema"])), entry["fingerprint"])
        found.add(entry["fingerprint"])
    return found


def specs_match(a, b):
    if a == "none" or b == "none":
        return a == "none" and b == "none"
    if a.get("any") is True or b.get("any") is True:
        return True
    if a.get("empty") is True and b.get("empty") is True:
        return True
    return bool(spec_fingerprints(a) & spec_fingerprints(b))


def check_matching_case(case):
    offered = case["offered"]
    spec_fingerprints(offered)
    for spec in case["accepted"]:
        spec_fingerprints(spec)
        expect("symmetry", specs_match(offered, spec), specs_match(spec, offered))
    expect("match", any(specs_match(spec, offered) for spec in case["accepted"]), case["match"])


def data_accepted(spec, present, data):
    if spec == "none":
        return not present
    if spec.get("any") is True:
        return True
    if not present:
        return spec.get("empty") is True
    spec_fingerprints(spec)
    return any(jsonschema.Draft7Validator(e["schema"]).is_valid(data) for e in spec.get("schemas", []))


def check_data_case(case):
    expect("accepted", data_accepted(case["spec"], "data" in case, case.get("data")), case["accepted"])


def check_known_answers(vectors_dir):
    """One result per case of every file of VECTORS_DIR/vectors."""
    folder = os.path.join(vectors_dir, KNOWN_ANSWERS)
    checks = {
        "hmac.json": {"cases": lambda c, _all: check_hmac_case(c)},
        "fingerprint.json": {"cases": check_fingerprint_case},
        "matching.json": {
            "cases": lambda c, _all: check_matching_case(c),
            "dataCases": lambda c, _all: check_data_case(c),
        },
    }
    results = []
    if not os.path.isdir(folder):
        return results
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        file = KNOWN_ANSWERS + "/" + name
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            doc = json.load(f)
        groups = checks.get(name)
        if groups is None:
            results.append({"file": file, "group": "", "name": "", "ok": False, "error": "no checker for this file"})
            continue
        for group, run in groups.items():
            cases = doc.get(group, [])
            for case in cases:
                try:
                    run(case, cases)
                    results.append({"file": file, "group": group, "name": case["name"], "ok": True, "error": None})
                except Exception as error:  # noqa: BLE001 -- every failure is a result
                    results.append({
                        "file": file,
                        "group": group,
                        "name": case.get("name", ""),
                        "ok": False,
                        "error": type(error).__name__ + ": " + str(error),
                    })
    return results


def main(argv):
    root = os.path.dirname(os.path.abspath(__file__))
    spec_path = argv[1] if len(argv) > 1 else os.path.join(root, "..", "orbitalis.asyncapi.yaml")
    vectors_dir = argv[2] if len(argv) > 2 else root
    validators = load_validators(spec_path)
    results = []
    for dirpath, _dirs, files in sorted(os.walk(vectors_dir)):
        if os.path.relpath(dirpath, vectors_dir).split(os.sep)[0] == KNOWN_ANSWERS:
            continue  # known-answer vectors, not messages
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
    vectors = check_known_answers(vectors_dir)
    json.dump({"results": results, "vectors": vectors}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
