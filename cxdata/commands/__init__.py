"""Subcommands of python -m cxdata, one module per area; each has register(subparsers)."""
