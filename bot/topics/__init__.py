"""Topics (dossiers): several crises in one deployment, and which one a command is about."""
