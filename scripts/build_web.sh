#!/usr/bin/env bash
# Rebuilds the dashboard front end (web/) into python/ferrogym/web/static and
# records the hash of its sources there; tests/web/test_assets.py fails when
# the committed build is older than the sources. Needs Node 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
(cd web && npm ci --no-audit --no-fund && npm run build)
"$PY" - <<'PYEOF'
from pathlib import Path
import importlib.util
spec = importlib.util.spec_from_file_location("assets", "python/ferrogym/web/assets.py")
assets = importlib.util.module_from_spec(spec); spec.loader.exec_module(assets)
Path("python/ferrogym/web/static/SOURCE_HASH").write_text(assets.source_hash(Path("web")) + "\n")
PYEOF
echo "built python/ferrogym/web/static ($(cat python/ferrogym/web/static/SOURCE_HASH))"
