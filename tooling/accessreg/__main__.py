from accessreg.cli import entry

entry()
