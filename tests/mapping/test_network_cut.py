"""The assistant answers with every outbound connection refused (air-gapped installs).

A fresh process refuses every non-loopback connection before anything is imported,
then loads the model, computes the target vectors (empty cache) and maps SP 800-53
controls and a Traditional Chinese requirement to CSF 2.0 with the combined method.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json, socket

    attempts = []
    real_connect = socket.socket.connect

    def refuse(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        loopback = host.startswith("127.") or host in ("::1", "localhost")
        if isinstance(address, tuple) and not loopback:
            attempts.append(host)
            raise OSError("network is cut")
        return real_connect(self, address)

    socket.socket.connect = refuse
    socket.create_connection = lambda *a, **k: (_ for _ in ()).throw(OSError("network is cut"))

    from csfpilot.core.catalog.model import Catalog, FrameworkInfo, Node
    from csfpilot.formats.bundled import read_bundled
    from csfpilot.mapping import suggest

    bundle = read_bundled()
    cats = {c.info.key: c for c in bundle.catalogs}
    controls = Catalog(
        info=cats["sp800-53r5"].info,
        nodes=tuple(n for n in cats["sp800-53r5"].nodes if n.code in ("CP", "CP-9", "SI", "SI-4")),
    )
    zh = Catalog(
        info=FrameworkInfo("zh", "zh", "1", "t", ("chapter", "article"), language="zh-Hant"),
        nodes=(
            Node("1", "chapter", None, "", "", 0),
            Node("1.1", "article", "1", "", "組織應定期備份重要資料，並測試備份資料之還原", 1),
        ),
    )
    out = {}
    for source in (controls, zh):
        for s in suggest(source, cats["csf-2.0"], crosswalks=bundle.mapping_sets, top=5):
            out[s.source] = [c.id for c in s.suggestions]
    print(json.dumps({"attempts": attempts, "out": out}))
    """
)


def test_suggestions_with_the_network_cut(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "CSFPILOT_MAPPING_CACHE": str(tmp_path / "cache"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert "PR.DS-11" in result["out"]["CP-9"]
    assert "DE.CM-01" in result["out"]["SI-4"]
    assert "PR.DS-11" in result["out"]["1.1"]
    assert list((tmp_path / "cache").glob("targets-*.npy"))
