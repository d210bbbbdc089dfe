"""The independent SBOM reader the SBOM import is measured against (tests/tests/sbom_corpus.rs).

For each file given, one JSON line: {"file", "ok", "packages": [[name, version, purl,
[licences]], ...]} or {"file", "ok": false, "why"}. CycloneDX is read with the CycloneDX
project's own Python library (cyclonedx-python-lib), SPDX with the SPDX project's (spdx-tools).
What counts as a package, as Relm reads it: every component, nested ones too (not the one the
metadata describes); every SPDX package but those the document describes. A package listed at
several places of a tree (the same purl under several parents) counts once. A licence is a
CycloneDX licence's id (else its name) or expression; SPDX's concluded licence unless
NOASSERTION or NONE, else the declared one.
"""

import json
import sys
import warnings


def cyclonedx(data):
    from cyclonedx.model.bom import Bom

    version = data.get("specVersion")
    if version not in ("1.4", "1.5", "1.6"):
        raise ValueError(f"CycloneDX {version}")
    bom = Bom.from_json(data)
    out = []

    def licences(c):
        got = []
        for lic in c.licenses:
            value = getattr(lic, "value", None)  # a LicenseExpression
            if value is not None:
                got.append(str(value))
                continue
            got.append(str(lic.id) if lic.id is not None else str(lic.name))
        return got

    # The order the document lists them, depth first, as Relm reads them.
    def walk(components):
        for c in components:
            out.append(
                [
                    c.name,
                    c.version or None,
                    c.purl.to_string() if c.purl is not None else None,
                    sorted(licences(c)),
                    c.bom_ref.value if c.bom_ref is not None else None,
                ]
            )
            walk(c.components)

    walk(ordered(data.get("components", []), bom.components))
    return once(out)


def once(packages):
    """Each package once: by purl, else by its bom-ref, else as listed."""
    seen, out = set(), []
    for p in packages:
        key = p[2] or p[4] or json.dumps(p)
        if key not in seen:
            seen.add(key)
            out.append(p[:4])
    return out


def ordered(raw, parsed):
    """The library keeps components in a sorted set: put them back in the document's order."""
    by_ref = {}
    for c in parsed:
        by_ref.setdefault((c.name, c.version or None, str(c.purl) if c.purl else None), []).append(c)
    out = []
    for r in raw:
        key = (r.get("name"), r.get("version") or None, r.get("purl"))
        found = by_ref.get(key)
        if found:
            out.append(found.pop(0))
    return out


def spdx(path, data):
    from spdx_tools.spdx.model import RelationshipType

    # spdx-tools takes creation times to the second only; npm and trivy write fractions of a
    # second. The time is not what is compared: it is cut to the second for this reader.
    created = data.get("creationInfo", {}).get("created")
    if isinstance(created, str) and "." in created and created.endswith("Z"):
        data["creationInfo"]["created"] = created.split(".")[0] + "Z"
    doc = parse_dict(data)
    if doc.creation_info.spdx_version != "SPDX-2.3":
        raise ValueError(doc.creation_info.spdx_version)
    described = {
        r.related_spdx_element_id
        for r in doc.relationships
        if r.spdx_element_id == doc.creation_info.spdx_id
        and r.relationship_type == RelationshipType.DESCRIBES
    }
    out = []
    for p in doc.packages:
        if p.spdx_id in described:
            continue
        purl = next(
            (r.locator for r in p.external_references if r.reference_type == "purl"),
            None,
        )
        lic = None
        for candidate in (p.license_concluded, p.license_declared):
            text = None if candidate is None else str(candidate)
            if text and text not in ("NOASSERTION", "NONE"):
                lic = text
                break
        out.append([p.name, p.version or None, purl, [lic] if lic else []])
    return out


def parse_dict(data):
    """spdx-tools' JSON parser, given the document already read."""
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

    return JsonLikeDictParser().parse(data)


def main():
    warnings.simplefilter("ignore")
    for path in sys.argv[1:]:
        try:
            with open(path, "rb") as f:
                data = json.loads(f.read().decode("utf-8"))
            if "bomFormat" in data:
                packages = cyclonedx(data)
            elif "spdxVersion" in data:
                packages = spdx(path, data)
            else:
                raise ValueError("not an SBOM")
            print(json.dumps({"file": path, "ok": True, "packages": packages}))
        except Exception as e:  # noqa: BLE001 - any refusal is the answer
            print(json.dumps({"file": path, "ok": False, "why": f"{type(e).__name__}: {e}"[:300]}))


if __name__ == "__main__":
    main()
