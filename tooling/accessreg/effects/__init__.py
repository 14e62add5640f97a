"""Effects at one edge: a run is planned as data (``plan``), then carried out by one session
holding the repository, the state refs, the outbox and the SMTP transport (``session``)."""
