"""One test module per module of ``accessreg.rules``, one invalid fixture per rule id."""
