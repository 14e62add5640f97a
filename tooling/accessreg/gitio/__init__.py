"""All git access of accessreg. ``repo`` reads revisions, trees, blobs and diffs; other
modules of this package (state kept in git, branches) build on it. Only this package imports
gitpython."""
