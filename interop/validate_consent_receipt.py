#!/usr/bin/env python3
"""Validate Kantara Consent Receipt v1.1 documents against the v1.1 JSON schema.

Usage: python interop/validate_consent_receipt.py SCHEMA FILE...

SCHEMA is the Kantara v1.1 schema (draft-04); its `//` comment lines are removed
before parsing. Each FILE is a receipt as JSON, or a compact JWS whose payload is
one. The JWS signature is NOT checked here: use `slingshot verify FILE --jwks KEYS`.
A receipt must also carry "version": "KI-CR-v1.1.0".

Prints one line per file; exit status 1 when any file fails, 2 on a usage error.
Needs `jsonschema` (pip install jsonschema).
"""

import base64
import json
import re
import sys

from jsonschema import Draft4Validator

VERSION = "KI-CR-v1.1.0"
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")


def load_schema(path):
    """The schema at `path`, `//` comment lines removed."""
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if not l.lstrip().startswith("//")]
    schema = json.loads("\n".join(lines))
    Draft4Validator.check_schema(schema)
    return schema


def b64url(part):
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def load_receipt(path):
    """(receipt, how it was read): plain JSON, or the payload of a compact JWS."""
    with open(path, encoding="utf-8") as f:
        text = f.read().strip()
    if COMPACT_JWS.match(text):
        header, payload, _signature = text.split(".")
        h = json.loads(b64url(header))
        return json.loads(b64url(payload)), f"JWS payload, alg {h.get('alg')}, kid {h.get('kid')}"
    return json.loads(text), "JSON"


def problems(validator, doc):
    """Schema errors and the version rule, as `path: message` strings."""
    out = []
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        out.append(f"version: must be {VERSION}")
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(map(str, e.absolute_path)) or "(top)"
        out.append(f"{where}: {e.message}")
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        validator = Draft4Validator(load_schema(argv[1]))
    except (OSError, ValueError) as e:
        print(f"cannot read the schema {argv[1]}: {e}", file=sys.stderr)
        return 2
    failed = 0
    for path in argv[2:]:
        try:
            doc, how = load_receipt(path)
        except (OSError, ValueError) as e:
            print(f"FAIL {path}: cannot read: {e}")
            failed += 1
            continue
        found = problems(validator, doc)
        if found:
            print(f"FAIL {path} ({how}): " + "; ".join(found))
            failed += 1
        else:
            print(f"ok   {path} ({how}): receipt {doc.get('consentReceiptID')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
