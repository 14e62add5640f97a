"""All git access of accessreg. ``runner`` finds a repository and runs git in it (the only
module that starts a process); ``repo`` reads revisions, trees, blobs and diffs; ``state``
keeps files in a ref of their own, ``branches`` proposes changes on branches, ``added``
dates files by the commit that added them."""
