"""cpniguard: the CPNI compliance engine for US carriers (47 CFR 64.2001-64.2011)."""

__version__ = "0.1.0"
