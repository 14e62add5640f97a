"""accessreg: access governance as code for the business systems of Japan's energy industry."""

__version__ = "0.1.0"
