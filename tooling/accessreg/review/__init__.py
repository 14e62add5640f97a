"""Pull requests: who may propose what, what a change reads from git, CODEOWNERS."""
