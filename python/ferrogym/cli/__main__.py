"""``python -m ferrogym.cli``: the ``ferrogym`` command without relying on the
console script being on PATH (CI's end-to-end test starts the server this way)."""

from ferrogym.cli import main

main()
