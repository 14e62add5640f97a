"""Merge-time provisioning: from the last applied revision to HEAD, the files downstream
systems import, the whitelists, the notices, and the state that makes it happen once."""
