"""``python -m maillage.cli``, as the ``maillage`` command."""

from maillage.cli import main

main()
