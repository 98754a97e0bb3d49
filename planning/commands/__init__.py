"""Sub-commands of ``python -m planning``, one module each (see :mod:`planning.cli`)."""
